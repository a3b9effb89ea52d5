package dev.fedexlora.coordinator.support;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

import io.minio.MinioClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import dev.fedexlora.platform.embedded.EmbeddedS3;
import dev.fedexlora.platform.storage.ObjectStore;

/**
 * One embedded PostgreSQL and one in-process s3proxy per test JVM (no Docker), started on first use and stopped at
 * JVM exit. Each Spring context gets its own database, so contexts never see each other's jobs.
 */
public final class TestInfrastructure {

    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret-key";
    public static final String BUCKET = "fedex";

    private static EmbeddedPostgres postgres;
    private static EmbeddedS3 s3;
    private static String s3Endpoint;
    private static final AtomicInteger databases = new AtomicInteger();
    private static final Deque<AutoCloseable> atExit = new ArrayDeque<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestInfrastructure::closeAll, "test-infrastructure-close"));
    }

    private TestInfrastructure() {
    }

    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start embedded PostgreSQL", e);
            }
            closeAtExit(postgres);
        }
        return postgres;
    }

    /** Closed at JVM exit, last registered first (a registry before the database it uses). */
    public static synchronized void closeAtExit(AutoCloseable resource) {
        atExit.push(resource);
    }

    private static synchronized void closeAll() {
        while (!atExit.isEmpty()) {
            try {
                atExit.pop().close();
            } catch (Exception ignored) {
                // the JVM is going away
            }
        }
    }

    /** A JDBC URL of a fresh, empty database. */
    public static String newDatabaseUrl() {
        EmbeddedPostgres pg = postgres();
        String name = "coordinator_test_" + databases.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return pg.getJdbcUrl("postgres", name);
    }

    public static synchronized String s3Endpoint() {
        if (s3 == null) {
            try {
                s3 = EmbeddedS3.start(Files.createTempDirectory("coordinator-s3"), "127.0.0.1", 0, ACCESS_KEY,
                        SECRET_KEY);
                s3Endpoint = s3.endpoint().toString();
                closeAtExit(s3);
                objectStore().ensureBucket();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start s3proxy", e);
            }
        }
        return s3Endpoint;
    }

    /** The s3proxy's bucket, as the services are pointed at it. */
    public static Bucket bucket() {
        return new Bucket(s3Endpoint(), ACCESS_KEY, SECRET_KEY, BUCKET);
    }

    public static MinioClient minio() {
        return MinioClient.builder().endpoint(s3Endpoint()).credentials(ACCESS_KEY, SECRET_KEY).region("us-east-1").build();
    }

    public static ObjectStore objectStore() {
        return new ObjectStore(minio(), BUCKET);
    }

    /** A PostgreSQL database a service under test is pointed at. */
    public record Database(String url, String username, String password) {

        /** A database of the embedded PostgreSQL (superuser postgres). */
        public static Database embedded(String url) {
            return new Database(url, "postgres", "postgres");
        }
    }

    /** An S3 endpoint with its credentials and the bucket the services share. */
    public record Bucket(String endpoint, String accessKey, String secretKey, String name) {
    }
}
