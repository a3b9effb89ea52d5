package dev.fedexlora.coordinator;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.TestInfrastructure;

/**
 * A coordinator on a real port, on embedded PostgreSQL, s3proxy and the recording registry. Every subclass shares
 * one context (and one database): tests use their own client ids so their jobs never meet.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class AbstractCoordinatorIntegrationTests {

    private static String databaseUrl;

    @LocalServerPort
    protected int port;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        synchronized (AbstractCoordinatorIntegrationTests.class) {
            if (databaseUrl == null) {
                databaseUrl = TestInfrastructure.newDatabaseUrl();
            }
        }
        CoordinatorTestSupport.properties(databaseUrl).forEach((k, v) -> registry.add(k, () -> v));
    }

    protected String baseUrl() {
        return "http://127.0.0.1:" + port;
    }
}
