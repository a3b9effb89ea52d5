package dev.fedexlora.registry.storage;

import io.minio.MinioClient;
import java.net.URI;

/**
 * Download links that work from where users are. The registry reaches the object store at an internal address
 * ({@code http://seaweedfs:8333} in docker-compose), which a browser outside that network cannot resolve. A
 * presigned URL's signature covers its host, so rewriting the host afterwards breaks it; instead a second client
 * built on the public endpoint signs the links. Presigning is pure computation when the region is known, so this
 * client never opens a connection; the object store must answer under that public name (a reverse proxy that
 * keeps the {@code Host} header, or the store's own public address).
 */
final class PublicEndpoint {

    private PublicEndpoint() {
    }

    /** A client for signing on {@code publicEndpoint}, or {@code internal} itself when none is configured. */
    static MinioClient presigner(MinioClient internal, String publicEndpoint, String region, String accessKey,
                                 String secretKey) {
        if (publicEndpoint == null || publicEndpoint.isBlank()) {
            return internal;
        }
        URI uri = URI.create(publicEndpoint.strip());
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || (uri.getPath() != null && !uri.getPath().isEmpty() && !"/".equals(uri.getPath()))) {
            throw new IllegalStateException("FEDEX_S3_PUBLIC_ENDPOINT (fedex.registry.s3.public-endpoint) must be an"
                    + " http(s) URL without a path, like https://files.example.org; got '" + publicEndpoint + "'");
        }
        if (region == null || region.isBlank()) {
            throw new IllegalStateException("FEDEX_S3_PUBLIC_ENDPOINT needs FEDEX_S3_REGION: without a region the"
                    + " client would ask the public endpoint for it");
        }
        return MinioClient.builder().endpoint(uri.toString()).region(region).credentials(accessKey, secretKey).build();
    }
}
