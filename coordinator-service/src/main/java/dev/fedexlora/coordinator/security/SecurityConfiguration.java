package dev.fedexlora.coordinator.security;

import java.net.URI;

import jakarta.servlet.DispatcherType;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

import dev.fedexlora.coordinator.CoordinatorProperties;
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
                .addFilterBefore(new ApiTokenAuthenticationFilter(properties.security().tokens(),
                        properties.security().workers()),
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
                        .authenticationEntryPoint((req, res, ex) -> problem(res, json, HttpStatus.UNAUTHORIZED,
                                "unauthorized", "A valid bearer token is required."))
                        .accessDeniedHandler((req, res, ex) -> problem(res, json, HttpStatus.FORBIDDEN,
                                "forbidden", "This token's role may not do this.")));
        return http.build();
    }

    private static void problem(jakarta.servlet.http.HttpServletResponse res, JsonMapper json, HttpStatus status,
                                String type, String detail) throws java.io.IOException {
        ProblemDetail pd = ProblemDetail.forStatusAndDetail(status, detail);
        pd.setType(URI.create("https://fedex-lora.dev/problems/" + type));
        pd.setTitle(status.getReasonPhrase());
        res.setStatus(status.value());
        res.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(res.getOutputStream(), pd);
    }
}
