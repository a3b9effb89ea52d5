package dev.fedexlora.registry;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the model registry, prefix {@code fedex.registry}.
 *
 * @param s3       the object store holding every artifact
 * @param embedded the embedded servers started for standalone runs when no real ones are configured
 */
@ConfigurationProperties("fedex.registry")
public record RegistryProperties(@DefaultValue S3 s3, @DefaultValue Embedded embedded) {

    /**
     * @param endpoint      S3 endpoint URL; blank starts an embedded s3proxy instead
     * @param region        region used for signing
     * @param accessKey     access key (also the embedded s3proxy's identity)
     * @param secretKey     secret key (also the embedded s3proxy's credential)
     * @param bucket        the one bucket of the platform, created on start when missing
     * @param presignExpiry how long a presigned download URL stays valid
     * @param publicEndpoint the object store's URL as users reach it, used in the download links the registry
     *                      hands out (e.g. https://files.example.org); blank uses {@code endpoint}
     */
    public record S3(String endpoint, @DefaultValue("us-east-1") String region,
                     @DefaultValue("fedex") String accessKey, @DefaultValue("fedex-secret") String secretKey,
                     @DefaultValue("fedex") String bucket, @DefaultValue("1h") Duration presignExpiry,
                     String publicEndpoint) {

        public boolean embedded() {
            return endpoint == null || endpoint.isBlank();
        }
    }

    /**
     * @param postgresDir data directory of the embedded PostgreSQL (used when {@code spring.datasource.url} is
     *                    unset); blank means a temporary directory removed on shutdown
     * @param s3Dir       directory of the embedded s3proxy's filesystem store; blank means in memory
     * @param s3Port      port of the embedded s3proxy; 0 picks a free one
     * @param s3Host      host name the embedded s3proxy is reached at (it appears in presigned URLs)
     */
    public record Embedded(@DefaultValue("./data/registry-pg") String postgresDir,
                           @DefaultValue("./data/s3") String s3Dir,
                           @DefaultValue("0") int s3Port,
                           @DefaultValue("127.0.0.1") String s3Host) {
    }
}
