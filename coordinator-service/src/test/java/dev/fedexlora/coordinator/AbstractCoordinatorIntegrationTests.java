package dev.fedexlora.coordinator;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.TestInfrastructure;

/**
 * The coordinator alone on a real port, on embedded PostgreSQL and s3proxy, without a model registry: its registry
 * address is one where nothing listens ({@link CoordinatorTestSupport#NO_REGISTRY}), so a test here that reached
 * the registry would get a 503 {@code registry-unavailable}, and a registry fault never fails it. For what needs
 * the whole service but no job (worker identity, the API document). Every subclass shares one context and one
 * database.
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
        CoordinatorTestSupport.properties(TestInfrastructure.Database.embedded(databaseUrl),
                TestInfrastructure.bucket(), CoordinatorTestSupport.NO_REGISTRY).forEach((k, v) -> registry.add(k, () -> v));
    }

    protected String baseUrl() {
        return "http://127.0.0.1:" + port;
    }
}
