package dev.fedexlora.registry;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the model registry, prefix {@code fedex.registry} (environment {@code FEDEX_REGISTRY_*}). The
 * object store ({@code FEDEX_S3_*}) and the database ({@code FEDEX_DB_*}) use the names every service shares.
 *
 * @param presignExpiry how long a presigned download URL stays valid
 * @param security      the accepted bearer tokens and their roles
 */
@ConfigurationProperties("fedex.registry")
public record RegistryProperties(@DefaultValue("1h") Duration presignExpiry, @DefaultValue Security security) {

    /** @param tokens the accepted bearer tokens, by SHA-256 */
    public record Security(@DefaultValue List<ApiToken> tokens) {
    }

    /**
     * @param name   the principal name the token authenticates as
     * @param role   what the token may do
     * @param sha256 hex SHA-256 of the token; blank disables the entry
     */
    public record ApiToken(String name, Role role, String sha256) {
    }

    /**
     * A reader reads the API and the pages; a publisher (the coordinator) registers versions and reads; an admin
     * curates (aliases, tags, notes, archive), uploads and imports base models, and reads. Only a publisher
     * registers versions.
     */
    public enum Role {
        READER, PUBLISHER, ADMIN
    }
}
