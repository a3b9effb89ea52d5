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
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

import dev.fedexlora.coordinator.support.CoordinatorTestSupport;
import dev.fedexlora.coordinator.support.InProcessRegistry;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.coordinator.support.TestInfrastructure;
import dev.fedexlora.coordinator.support.TestInfrastructure.Bucket;
import dev.fedexlora.coordinator.support.TestInfrastructure.Database;

/**
 * The main federated-job case on the images a deployment runs (docker-compose.yml, k8s/base): the coordinator on a
 * PostgreSQL container (the in-process registry on a second database of it), both on one SeaweedFS container's
 * bucket, started as the deployment starts it (one `weed server`, an account limited to the bucket, which the
 * services create), so SQL, presigned URLs and their signatures meet the servers of a deployment rather than zonky
 * and s3proxy. Skipped without a Docker engine; it touches neither the embedded PostgreSQL nor the s3proxy of the
 * other tests.
 */
// @Testcontainers first: its extension starts the containers before Spring loads the context and stops them after
// Spring has closed it (@DirtiesContext: a cached context must not outlive its containers).
@Testcontainers(disabledWithoutDocker = true)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class FederatedJobContainerIntegrationTests {

    // The images of docker-compose.yml and k8s/base, by digest alone: Testcontainers' image names take a tag or a
    // digest, not both. postgres:18.6 and chrislusf/seaweedfs:4.48 at the time of pinning.
    private static final String POSTGRES_IMAGE =
            "postgres@sha256:74935e72241653ca55e0414067e6d8763aceb8a810eb51b452253ec3dcfc4336";
    private static final String SEAWEEDFS_IMAGE =
            "chrislusf/seaweedfs@sha256:4e61d15fd35994cb1e43e1e553dff106794841fd9a99ade2fc8c8bfce4d7872d";

    @Container
    static final PostgreSQLContainer postgres = new PostgreSQLContainer(DockerImageName.parse(POSTGRES_IMAGE));

    private static final String S3_ACCESS_KEY = "fedex-test";
    private static final String S3_SECRET_KEY = "fedex-test-secret";
    private static final int S3_PORT = 8333;

    /** The platform's account as the deployment's SeaweedFS grants it: every action, on its bucket only. */
    private static final String S3_IDENTITIES = """
            {"identities": [{"name": "fedex-platform",
              "credentials": [{"accessKey": "%s", "secretKey": "%s"}],
              "actions": ["Admin:%3$s", "Read:%3$s", "List:%3$s", "Tagging:%3$s", "Write:%3$s"]}]}
            """.formatted(S3_ACCESS_KEY, S3_SECRET_KEY, TestInfrastructure.BUCKET);

    @Container
    @SuppressWarnings("resource")
    static final GenericContainer<?> seaweedfs = new GenericContainer<>(DockerImageName.parse(SEAWEEDFS_IMAGE))
            .withCopyToContainer(Transferable.of(S3_IDENTITIES), "/etc/seaweedfs/s3.json")
            .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("/usr/bin/weed"))
            .withCommand("-logtostderr=true", "server", "-dir=/data", "-ip=127.0.0.1", "-ip.bind=0.0.0.0",
                    "-master.volumeSizeLimitMB=64", "-volume.max=0", "-s3", "-s3.port=" + S3_PORT,
                    "-s3.config=/etc/seaweedfs/s3.json")
            .withExposedPorts(S3_PORT)
            .waitingFor(Wait.forHttp("/healthz").forPort(S3_PORT).forStatusCode(200));

    private static InProcessRegistry registry;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void containers(DynamicPropertyRegistry properties) {
        Bucket bucket = new Bucket("http://" + seaweedfs.getHost() + ":" + seaweedfs.getMappedPort(S3_PORT),
                S3_ACCESS_KEY, S3_SECRET_KEY, TestInfrastructure.BUCKET);
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
