package dev.fedexlora.registry;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.MockMvcBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;

/**
 * The development tokens the registry accepts by default (application.yml), and MockMvc requests that carry the
 * admin's unless a test sets its own {@code Authorization} header: most tests exercise features, not roles.
 */
@TestConfiguration(proxyBeanMethods = false)
public class Tokens {

    public static final String READER = "dev-registry-reader";
    public static final String PUBLISHER = "dev-registry-publisher";
    public static final String ADMIN = "dev-registry-admin";

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    @Bean
    MockMvcBuilderCustomizer adminByDefault() {
        return builder -> builder.defaultRequest(get("/").header(HttpHeaders.AUTHORIZATION, bearer(ADMIN)));
    }
}
