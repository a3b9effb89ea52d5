package dev.fedexlora.registry.security;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;

import dev.fedexlora.platform.security.BearerTokenAuthenticationFilter;
import dev.fedexlora.platform.security.HashedToken;
import dev.fedexlora.platform.security.HashedTokens;
import dev.fedexlora.platform.security.ProblemResponses;
import dev.fedexlora.registry.RegistryProperties;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may do what. The API ({@code /api/**}) takes bearer tokens, and for reads also a signed-in browser's session
 * (the pages' download links), and answers 401/403 as problem details: readers read; only a publisher (the
 * coordinator) registers versions; an admin curates and imports.
 * The pages take a bearer token too, or a session opened by entering a token once at {@code /login}; their forms
 * are admin-only and carry a CSRF token, which a request with a bearer header (which no browser sends on its own)
 * does not need. Health probes, metrics, the API docs and the login page are open.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    static final String READER = "READER";
    static final String PUBLISHER = "PUBLISHER";
    static final String ADMIN = "ADMIN";

    @Bean
    HashedTokens registryTokens(RegistryProperties properties) {
        return new HashedTokens(properties.security().tokens().stream()
                .map(t -> new HashedToken(t.name(), t.role() == null ? "NONE" : t.role().name(), t.sha256()))
                .toList());
    }

    @Bean
    RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.fromHierarchy("ROLE_ADMIN > ROLE_READER\nROLE_PUBLISHER > ROLE_READER");
    }

    @Bean
    HttpSessionSecurityContextRepository sessionContextRepository() {
        return new HttpSessionSecurityContextRepository();
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiSecurity(HttpSecurity http, HashedTokens tokens, JsonMapper json,
                                    HttpSessionSecurityContextRepository sessions) {
        http.securityMatcher("/api/**")
                .csrf(c -> c.disable())
                .securityContext(c -> c.securityContextRepository(new SessionReadsOnly(sessions)))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .addFilterBefore(new BearerTokenAuthenticationFilter(tokens), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                        .requestMatchers(HttpMethod.POST, "/api/v1/models/*/versions").hasRole(PUBLISHER)
                        // an export materialises a download of what a reader may read already
                        .requestMatchers(HttpMethod.POST, "/api/v1/models/*/versions/*/export").hasRole(READER)
                        .requestMatchers(HttpMethod.GET, "/api/**").hasRole(READER)
                        .requestMatchers(HttpMethod.POST, "/api/**").hasRole(ADMIN)
                        .requestMatchers(HttpMethod.PUT, "/api/**").hasRole(ADMIN)
                        .requestMatchers(HttpMethod.PATCH, "/api/**").hasRole(ADMIN)
                        .requestMatchers(HttpMethod.DELETE, "/api/**").hasRole(ADMIN)
                        .anyRequest().denyAll())
                .exceptionHandling(e -> e
                        .authenticationEntryPoint(ProblemResponses.unauthorized(json))
                        .accessDeniedHandler(ProblemResponses.forbidden(json)));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain pageSecurity(HttpSecurity http, HashedTokens tokens,
                                     HttpSessionSecurityContextRepository sessions) {
        http.csrf(c -> c.ignoringRequestMatchers(SecurityConfiguration::hasBearerHeader))
                .securityContext(c -> c.securityContextRepository(sessions))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?logout"))
                .addFilterBefore(new BearerTokenAuthenticationFilter(tokens), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info",
                                "/actuator/prometheus", "/v3/api-docs", "/v3/api-docs/**", "/swagger-ui/**",
                                "/swagger-ui.html", "/error", "/login", "/registry.css", "/favicon.ico").permitAll()
                        .requestMatchers(HttpMethod.POST, "/models/*/versions/*/export").hasRole(READER)
                        .requestMatchers(HttpMethod.POST, "/models/**").hasRole(ADMIN)
                        .requestMatchers(HttpMethod.GET, "/", "/models", "/models/**").hasRole(READER)
                        .anyRequest().denyAll())
                .exceptionHandling(e -> e.authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint("/login")));
        return http.build();
    }

    private static boolean hasBearerHeader(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
    }
}
