package dev.fedexlora.platform.storage;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The shared object store, prefix {@code fedex.s3} (environment {@code FEDEX_S3_*}), the same names in every service.
 *
 * @param endpoint       S3 endpoint URL the service talks to; required unless the profile {@code embedded} is active
 * @param publicEndpoint endpoint that appears in presigned URLs handed to users and workers; blank: {@code endpoint}
 * @param region         region used for signing
 * @param accessKey      access key (also the embedded s3proxy's identity)
 * @param secretKey      secret key (also the embedded s3proxy's credential)
 * @param bucket         the one bucket of the platform, created on start when missing
 */
@ConfigurationProperties("fedex.s3")
public record S3Properties(String endpoint, String publicEndpoint, @DefaultValue("us-east-1") String region,
                           @DefaultValue("fedex") String accessKey, @DefaultValue("fedex-secret") String secretKey,
                           @DefaultValue("fedex") String bucket) {

    public boolean hasEndpoint() {
        return endpoint != null && !endpoint.isBlank();
    }
}
