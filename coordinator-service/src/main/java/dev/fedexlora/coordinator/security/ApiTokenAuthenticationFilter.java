package dev.fedexlora.coordinator.security;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.fedexlora.core.checksum.Sha256;
import dev.fedexlora.coordinator.CoordinatorProperties.ApiToken;
import dev.fedexlora.coordinator.CoordinatorProperties.WorkerCredential;

/**
 * Authenticates {@code Authorization: Bearer <token>} against the configured API tokens and worker credentials (a
 * worker credential authenticates as its own name with the role WORKER). Only SHA-256 hashes of the tokens are
 * configured; the lookup is by the hash of the presented token. An unknown token leaves the request
 * unauthenticated (and the authorization rules then answer 401).
 */
class ApiTokenAuthenticationFilter extends OncePerRequestFilter {

    private final Map<String, ApiToken> byHash;
    private final Map<String, WorkerCredential> workersByHash;

    ApiTokenAuthenticationFilter(List<ApiToken> tokens, List<WorkerCredential> workers) {
        this.byHash = tokens.stream().filter(t -> t.sha256() != null && !t.sha256().isBlank())
                .collect(Collectors.toMap(t -> t.sha256().toLowerCase(Locale.ROOT), Function.identity(), (a, b) -> a));
        this.workersByHash = workers.stream().filter(w -> w.sha256() != null && !w.sha256().isBlank()
                        && w.name() != null && !w.name().isBlank())
                .collect(Collectors.toMap(w -> w.sha256().toLowerCase(Locale.ROOT), Function.identity(), (a, b) -> a));
    }

    static String sha256Hex(String token) {
        return Sha256.hex(token);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String hash = sha256Hex(header.substring(7).trim());
            ApiToken token = byHash.get(hash);
            WorkerCredential worker = workersByHash.get(hash);
            if (token != null) {
                authenticate(token.name(), token.role().name());
            } else if (worker != null) {
                authenticate(worker.name(), "WORKER");
            }
        }
        chain.doFilter(request, response);
    }

    private static void authenticate(String name, String role) {
        var auth = new UsernamePasswordAuthenticationToken(name, null, List.of(new SimpleGrantedAuthority("ROLE_" + role)));
        SecurityContextHolder.getContext().setAuthentication(auth);
    }
}
