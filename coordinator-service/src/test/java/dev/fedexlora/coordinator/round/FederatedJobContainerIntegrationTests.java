package dev.fedexlora.coordinator.round;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.MODEL;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.postgresql.PostgreSQLContainer;

import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.InProcessRegistry;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.coordinator.support.TestInfrastructure;
import dev.fedexlora.coordinator.support.TestInfrastructure.Bucket;
import dev.fedexlora.coordinator.support.TestInfrastructure.Database;

/**
 * The main federated-job case on the images a deployment runs (docker-compose.yml): the coordinator on a
 * PostgreSQL container (the in-process registry on a second database of it), both on one MinIO container's bucket,
 * so SQL, presigned URLs and their signatures meet the servers of a deployment rather than zonky and s3proxy.
 * Skipped without a Docker engine; it touches neither the embedded PostgreSQL nor the s3proxy of the other tests.
 */
// @Testcontainers first: its extension starts the containers before Spring loads the context and stops them after
// Spring has closed it (@DirtiesContext: a cached context must not outlive its containers).
@Testcontainers(disabledWithoutDocker = true)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class FederatedJobContainerIntegrationTests {

    @Container
    static final PostgreSQLContainer postgres = new PostgreSQLContainer("postgres:18");

    @Container
    static final MinIOContainer minio = new MinIOContainer("minio/minio:RELEASE.2025-09-07T16-13-09Z");

    private static InProcessRegistry registry;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void containers(DynamicPropertyRegistry properties) {
        Bucket bucket = new Bucket(minio.getS3URL(), minio.getUserName(), minio.getPassword(),
                TestInfrastructure.BUCKET);
        registry = InProcessRegistry.start(newDatabase("registry"), bucket);
        registry.addBaseModel(MODEL, TestAdapters.HIDDEN);
        CoordinatorTestSupport.properties(newDatabase("coordinator"), bucket, registry.url())
                .forEach((k, v) -> properties.add(k, () -> v));
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void twoRoundFedexJobRegistersExactVersionsAndShipsTheirStateToTheNextRound() throws Exception {
        new FedexJobScenario("http://127.0.0.1:" + port, registry.url())
                .twoRoundFedexJobRegistersExactVersionsAndShipsTheirStateToTheNextRound();
    }

    /** A fresh database in the container, as the coordinator and the registry each have theirs in a deployment. */
    private static Database newDatabase(String name) {
        try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl(), postgres.getUsername(),
                postgres.getPassword()); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        String url = "jdbc:postgresql://" + postgres.getHost() + ":"
                + postgres.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT) + "/" + name;
        return new Database(url, postgres.getUsername(), postgres.getPassword());
    }
}
