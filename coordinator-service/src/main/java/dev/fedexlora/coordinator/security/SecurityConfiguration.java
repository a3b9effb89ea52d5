package dev.fedexlora.coordinator.security;

import jakarta.servlet.DispatcherType;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

import dev.fedexlora.coordinator.CoordinatorProperties;
import dev.fedexlora.platform.security.BearerTokenAuthenticationFilter;
import dev.fedexlora.platform.security.HashedToken;
import dev.fedexlora.platform.security.HashedTokens;
import dev.fedexlora.platform.security.ProblemResponses;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bearer API tokens with three roles. A submitter creates and cancels jobs and reads everything a viewer reads;
 * a viewer only reads; a worker only registers, leases and reports tasks (and the task calls check that the
 * worker belongs to the token, see the task package). Health probes, metrics and the API docs are open.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.fromHierarchy("ROLE_SUBMITTER > ROLE_VIEWER");
    }

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, CoordinatorProperties properties, JsonMapper json) {
        http.csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .addFilterBefore(new BearerTokenAuthenticationFilter(new HashedTokens(java.util.stream.Stream.concat(
                                properties.security().tokens().stream()
                                        .map(t -> new HashedToken(t.name(), t.role().name(), t.sha256())),
                                // A worker credential authenticates as its own name with the role WORKER.
                                properties.security().workers().stream()
                                        .map(w -> new HashedToken(w.name(), "WORKER", w.sha256()))).toList())),
                        AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        // The request was authorised when it arrived; the async dispatch that completes an SSE
                        // stream (and an error dispatch) carries no token of its own.
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers("/actuator/health/**", "/actuator/health", "/actuator/info",
                                "/actuator/prometheus", "/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html",
                                "/error").permitAll()
                        // the jobs page's static shell and the registry address for its links; no job data
                        .requestMatchers(HttpMethod.GET, "/jobs", "/jobs/", "/jobs/index.html", "/jobs/jobs.js",
                                "/jobs/jobs.css", "/jobs/settings.json").permitAll()
                        .requestMatchers(HttpMethod.POST, "/api/v1/jobs", "/api/v1/jobs/*/cancel").hasRole("SUBMITTER")
                        .requestMatchers(HttpMethod.GET, "/api/v1/jobs", "/api/v1/jobs/**").hasRole("VIEWER")
                        .requestMatchers("/api/v1/workers", "/api/v1/workers/**", "/api/v1/tasks/**").hasRole("WORKER")
                        .anyRequest().denyAll())
                .exceptionHandling(e -> e
                        .authenticationEntryPoint(ProblemResponses.unauthorized(json))
                        .accessDeniedHandler(ProblemResponses.forbidden(json)));
        return http.build();
    }
}
