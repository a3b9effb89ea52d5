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

/**
 * Authenticates {@code Authorization: Bearer <token>} against the configured tokens. Only SHA-256 hashes of the
 * tokens are configured; the lookup is by the hash of the presented token. An unknown token leaves the request
 * unauthenticated (and the authorization rules then answer 401).
 */
class ApiTokenAuthenticationFilter extends OncePerRequestFilter {

    private final Map<String, ApiToken> byHash;

    ApiTokenAuthenticationFilter(List<ApiToken> tokens) {
        this.byHash = tokens.stream().filter(t -> t.sha256() != null && !t.sha256().isBlank())
                .collect(Collectors.toMap(t -> t.sha256().toLowerCase(Locale.ROOT), Function.identity(), (a, b) -> a));
    }

    static String sha256Hex(String token) {
        return Sha256.hex(token);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ApiToken token = byHash.get(sha256Hex(header.substring(7).trim()));
            if (token != null) {
                var auth = new UsernamePasswordAuthenticationToken(token.name(), null,
                        List.of(new SimpleGrantedAuthority("ROLE_" + token.role().name())));
                SecurityContextHolder.getContext().setAuthentication(auth);
            }
        }
        chain.doFilter(request, response);
    }
}
