package dev.fedexlora.coordinator;

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
 * @param presignExpiry        longest validity of a presigned upload URL; each one expires with its lease (and every
 *                             heartbeat hands out fresh ones), so this only caps very long leases
 * @param eventStreamTimeout   how long a server-sent event stream stays open
 * @param registry             the model registry
 * @param security             the API tokens and the worker credentials
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
        @DefaultValue Registry registry,
        @DefaultValue Security security) {

    /**
     * @param url     base URL of the model registry (without {@code /api/v1})
     * @param token   bearer token the coordinator presents to the registry; blank sends none
     * @param timeout connect and read timeout of registry calls
     */
    public record Registry(@DefaultValue("http://localhost:8081") String url, String token,
                           @DefaultValue("30s") Duration timeout) {
    }

    /**
     * @param tokens  the accepted submitter and viewer tokens, by SHA-256
     * @param workers the worker credentials, one per worker (or organisation), each bound to the clients it hosts
     */
    public record Security(@DefaultValue List<ApiToken> tokens, @DefaultValue List<WorkerCredential> workers) {

        /** The credential named {@code name}, or null. */
        public WorkerCredential worker(String name) {
            return workers.stream().filter(w -> w.name() != null && w.name().equals(name)).findFirst().orElse(null);
        }
    }

    /**
     * One worker identity: the calls its token makes act for it only.
     *
     * @param name    the identity's name (the principal its registrations belong to)
     * @param sha256  hex SHA-256 of its bearer token
     * @param clients the client ids it may host; the single entry {@code *} allows any (development only)
     */
    public record WorkerCredential(String name, String sha256, @DefaultValue List<String> clients) {

        public static final String ANY_CLIENT = "*";

        public boolean mayHost(String clientId) {
            return clients.contains(ANY_CLIENT) || clients.contains(clientId);
        }
    }

    /**
     * @param name   the principal name the token authenticates as
     * @param role   what the token may do
     * @param sha256 hex SHA-256 of the token
     */
    public record ApiToken(String name, Role role, String sha256) {
    }

    /** Roles of API tokens; a submitter may also read everything a viewer can. Workers have their own credentials. */
    public enum Role {
        SUBMITTER, VIEWER
    }
}
