package dev.fedexlora.coordinator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the coordinator, prefix {@code fedex.coordinator}.
 *
 * @param leaseTtl             how long a task lease lasts without a heartbeat
 * @param schedulerInterval    pause between two runs of the round loop (lease expiry, round closing)
 * @param maxTaskAttempts      attempts a task gets after rejected uploads before it stays FAILED
 * @param maxRoundAttempts     attempts a round gets when its deadline passes without quorum before the job fails
 * @param defaultRoundDeadline round deadline for jobs that do not set one
 * @param presignExpiry        validity of presigned object-store URLs handed to workers
 * @param eventStreamTimeout   how long a server-sent event stream stays open
 * @param database             the embedded PostgreSQL used when no {@code spring.datasource.url} is set
 * @param storage              the object store
 * @param registry             the model registry
 * @param security             the API tokens
 */
@ConfigurationProperties("fedex.coordinator")
public record CoordinatorProperties(
        @DefaultValue("60s") Duration leaseTtl,
        @DefaultValue("1s") Duration schedulerInterval,
        @DefaultValue("5") int maxTaskAttempts,
        @DefaultValue("3") int maxRoundAttempts,
        @DefaultValue("30m") Duration defaultRoundDeadline,
        @DefaultValue("2h") Duration presignExpiry,
        @DefaultValue("30m") Duration eventStreamTimeout,
        @DefaultValue Database database,
        @DefaultValue Storage storage,
        @DefaultValue Registry registry,
        @DefaultValue Security security) {

    /**
     * @param dataDir PostgreSQL data directory, kept across restarts
     * @param port    port of the embedded server, 0 for any free one
     */
    public record Database(@DefaultValue("./data/coordinator-pg") Path dataDir, @DefaultValue("0") int port) {
    }

    /**
     * @param endpoint        S3 endpoint URL; blank starts an embedded s3proxy with a filesystem store
     * @param accessKey       S3 access key (also the embedded store's)
     * @param secretKey       S3 secret key (also the embedded store's)
     * @param bucket          the bucket holding {@code jobs/} and {@code models/}
     * @param region          S3 region used for signing
     * @param embeddedDataDir filesystem store of the embedded s3proxy
     * @param embeddedPort    port of the embedded s3proxy (fixed, so presigned URLs survive a restart)
     */
    public record Storage(String endpoint, @DefaultValue("fedex") String accessKey,
                          @DefaultValue("fedex-secret") String secretKey, @DefaultValue("fedex") String bucket,
                          @DefaultValue("us-east-1") String region, @DefaultValue("./data/s3") Path embeddedDataDir,
                          @DefaultValue("9000") int embeddedPort) {

        public boolean embedded() {
            return endpoint == null || endpoint.isBlank();
        }
    }

    /**
     * @param url     base URL of the model registry (without {@code /api/v1})
     * @param token   bearer token the coordinator presents to the registry; blank sends none
     * @param timeout connect and read timeout of registry calls
     */
    public record Registry(@DefaultValue("http://localhost:8081") String url, String token,
                           @DefaultValue("30s") Duration timeout) {
    }

    /** @param tokens the accepted bearer tokens, by SHA-256 */
    public record Security(@DefaultValue List<ApiToken> tokens) {
    }

    /**
     * @param name   the principal name the token authenticates as
     * @param role   what the token may do
     * @param sha256 hex SHA-256 of the token
     */
    public record ApiToken(String name, Role role, String sha256) {
    }

    /** API roles; a submitter may also read everything a viewer can. */
    public enum Role {
        SUBMITTER, WORKER, VIEWER
    }
}
