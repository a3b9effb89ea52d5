package dev.fedexlora.coordinator;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.TestInfrastructure;

/**
 * A coordinator on a real port, on embedded PostgreSQL and s3proxy, calling the real model registry started
 * in-process ({@link CoordinatorTestSupport#registry()}). For tests that run jobs: a job resolves its base model
 * version and reads the base checkpoint's shapes from the registry when it is submitted, every lease carries the
 * registry's presigned base-checkpoint URLs, and every round ends by registering a version, so these tests are
 * about the coordinator-registry contract as much as about their own subject. Every subclass shares one context
 * (and one database): tests use their own client ids so their jobs never meet.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class AbstractRegistryContractIntegrationTests {

    private static String databaseUrl;

    @LocalServerPort
    protected int port;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        synchronized (AbstractRegistryContractIntegrationTests.class) {
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
