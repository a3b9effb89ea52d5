package dev.fedexlora.registry;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the model registry, prefix {@code fedex.registry} (environment {@code FEDEX_REGISTRY_*}). The
 * object store ({@code FEDEX_S3_*}) and the database ({@code FEDEX_DB_*}) use the names every service shares.
 *
 * @param presignExpiry how long a presigned download URL stays valid
 */
@ConfigurationProperties("fedex.registry")
public record RegistryProperties(@DefaultValue("1h") Duration presignExpiry) {
}
