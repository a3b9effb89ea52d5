package dev.fedexlora.coordinator.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import io.minio.MinioClient;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.fedexlora.coordinator.CoordinatorProperties;

/**
 * The MinIO client for the configured S3 endpoint; without an endpoint, an in-process s3proxy with a filesystem
 * store is started first (standalone runs), on a fixed port so that presigned URLs outlive a restart.
 */
@Configuration(proxyBeanMethods = false)
class ObjectStoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ObjectStoreConfiguration.class);

    @Bean
    EmbeddedS3 embeddedS3(CoordinatorProperties properties) throws Exception {
        CoordinatorProperties.Storage storage = properties.storage();
        if (!storage.embedded()) {
            return EmbeddedS3.NONE;
        }
        Path dir = storage.embeddedDataDir().toAbsolutePath();
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", dir.toString());
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(BlobStores.create("filesystem", p))
                .endpoint(URI.create("http://127.0.0.1:" + storage.embeddedPort()))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, storage.accessKey(), storage.secretKey())
                .build();
        proxy.start();
        while (!proxy.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
        log.info("Started embedded S3 (s3proxy) on port {} with data in {}", proxy.getPort(), dir);
        return new EmbeddedS3(proxy, "http://127.0.0.1:" + proxy.getPort());
    }

    @Bean
    MinioClient minioClient(CoordinatorProperties properties, EmbeddedS3 embedded) {
        CoordinatorProperties.Storage storage = properties.storage();
        String endpoint = embedded.endpoint() != null ? embedded.endpoint() : storage.endpoint();
        return MinioClient.builder()
                .endpoint(endpoint)
                .credentials(storage.accessKey(), storage.secretKey())
                .region(storage.region())
                .build();
    }

    @Bean
    ObjectStore objectStore(MinioClient client, CoordinatorProperties properties) {
        ObjectStore store = new ObjectStore(client, properties.storage().bucket());
        try {
            store.ensureBucket();
        } catch (ObjectStoreException e) {
            // Not fatal: readiness reports the store down until it answers, and writes retry on the next round.
            log.warn("Object store not ready at start-up: {}", e.getMessage());
        }
        return store;
    }

    /** The in-process s3proxy of a standalone run, stopped with the context; {@link #NONE} when not used. */
    record EmbeddedS3(S3Proxy proxy, String endpoint) implements AutoCloseable {

        static final EmbeddedS3 NONE = new EmbeddedS3(null, null);

        @Override
        public void close() throws Exception {
            if (proxy != null) {
                proxy.stop();
            }
        }
    }
}
