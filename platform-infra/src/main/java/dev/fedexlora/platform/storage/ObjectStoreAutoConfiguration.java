package dev.fedexlora.platform.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import dev.fedexlora.platform.embedded.EmbeddedInfrastructureAutoConfiguration;
import dev.fedexlora.platform.embedded.EmbeddedS3;

/**
 * The MinIO client on {@code fedex.s3.endpoint} (or on the embedded s3proxy of the profile {@code embedded}), the
 * {@link ObjectStore} on the bucket (created when missing) and its health indicator "objectStore".
 */
@AutoConfiguration(after = EmbeddedInfrastructureAutoConfiguration.class)
@EnableConfigurationProperties(S3Properties.class)
public class ObjectStoreAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ObjectStoreAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    ObjectStore objectStore(S3Properties s3, ObjectProvider<EmbeddedS3> embedded) {
        EmbeddedS3 local = s3.hasEndpoint() ? null : embedded.getIfAvailable();
        String endpoint = local != null ? local.endpoint().toString() : s3.endpoint();
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalStateException("No object store configured: set FEDEX_S3_ENDPOINT (with FEDEX_S3_ACCESS_KEY, "
                    + "FEDEX_S3_SECRET_KEY, FEDEX_S3_BUCKET), or start with SPRING_PROFILES_ACTIVE=embedded for a "
                    + "development store under FEDEX_EMBEDDED_DIR");
        }
        String publicEndpoint = s3.publicEndpoint() == null || s3.publicEndpoint().isBlank() ? endpoint
                : checkedPublicEndpoint(s3);
        var client = client(endpoint, s3);
        var presigner = publicEndpoint.equals(endpoint) ? client : client(publicEndpoint, s3);
        ObjectStore store = new ObjectStore(client, presigner, s3.bucket());
        try {
            store.ensureBucket();
        } catch (ObjectStoreException e) {
            // Not fatal: readiness reports the store down until it answers; writes fail with 503 meanwhile.
            log.warn("Object store not ready at start-up: {}", e.getMessage());
        }
        return store;
    }

    @Bean
    @ConditionalOnMissingBean(name = "objectStoreHealthIndicator")
    ObjectStoreHealthIndicator objectStoreHealthIndicator(ObjectStore store) {
        return new ObjectStoreHealthIndicator(store);
    }

    /**
     * A presigned URL's signature covers its host, so links for users are signed by a second client built on the
     * public endpoint rather than rewritten afterwards. Signing is computation only when the region is known: the
     * service never has to reach the public address itself.
     */
    private static String checkedPublicEndpoint(S3Properties s3) {
        String value = s3.publicEndpoint().strip();
        java.net.URI uri;
        try {
            uri = java.net.URI.create(value);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || (uri.getPath() != null && !uri.getPath().isEmpty() && !"/".equals(uri.getPath()))) {
            throw new IllegalStateException("FEDEX_S3_PUBLIC_ENDPOINT must be an http(s) URL without a path, like "
                    + "https://files.example.org; got '" + value + "'");
        }
        if (s3.region() == null || s3.region().isBlank()) {
            throw new IllegalStateException("FEDEX_S3_PUBLIC_ENDPOINT needs FEDEX_S3_REGION: without a region the "
                    + "client would ask the public endpoint for it");
        }
        return value;
    }

    private static io.minio.MinioClient client(String endpoint, S3Properties s3) {
        return io.minio.MinioClient.builder().endpoint(endpoint).region(s3.region())
                .credentials(s3.accessKey(), s3.secretKey()).build();
    }
}
