package dev.fedexlora.registry.security;

import java.util.function.Supplier;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.core.context.DeferredSecurityContext;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;

/**
 * The API's view of a signed-in browser: its session authenticates GET and HEAD only (the pages' download links
 * go through the API's artifact redirect), never a write, so no cross-site form can act with a browser's session
 * on the API, which has no CSRF tokens. The API never creates or changes a session.
 */
final class SessionReadsOnly implements SecurityContextRepository {

    private final HttpSessionSecurityContextRepository sessions;

    SessionReadsOnly(HttpSessionSecurityContextRepository sessions) {
        this.sessions = sessions;
    }

    @Override
    public DeferredSecurityContext loadDeferredContext(HttpServletRequest request) {
        if (isRead(request)) {
            return sessions.loadDeferredContext(request);
        }
        Supplier<SecurityContext> empty = SecurityContextHolder::createEmptyContext;
        return new DeferredSecurityContext() {
            @Override
            public SecurityContext get() {
                return empty.get();
            }

            @Override
            public boolean isGenerated() {
                return true;
            }
        };
    }

    @Override
    @SuppressWarnings("deprecation")
    public SecurityContext loadContext(org.springframework.security.web.context.HttpRequestResponseHolder holder) {
        return loadDeferredContext(holder.getRequest()).get();
    }

    @Override
    public void saveContext(SecurityContext context, HttpServletRequest request, HttpServletResponse response) {
        // the API keeps no state of its own
    }

    @Override
    public boolean containsContext(HttpServletRequest request) {
        return isRead(request) && sessions.containsContext(request);
    }

    private static boolean isRead(HttpServletRequest request) {
        return "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
    }
}
