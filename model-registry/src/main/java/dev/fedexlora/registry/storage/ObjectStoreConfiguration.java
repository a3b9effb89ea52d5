package dev.fedexlora.registry.storage;

import dev.fedexlora.registry.RegistryProperties;
import dev.fedexlora.registry.infra.EmbeddedS3;
import io.minio.MinioClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The MinIO client on the configured endpoint, or on the embedded s3proxy when none is configured. */
@Configuration(proxyBeanMethods = false)
class ObjectStoreConfiguration {

    @Bean(destroyMethod = "close")
    MinioClient minioClient(RegistryProperties properties, ObjectProvider<EmbeddedS3> embedded) {
        RegistryProperties.S3 s3 = properties.s3();
        String endpoint = s3.embedded() ? embedded.getObject().endpoint().toString() : s3.endpoint();
        return MinioClient.builder().endpoint(endpoint).region(s3.region())
                .credentials(s3.accessKey(), s3.secretKey()).build();
    }

    @Bean
    ObjectStore objectStore(MinioClient client, RegistryProperties properties) {
        RegistryProperties.S3 s3 = properties.s3();
        ObjectStore store = new ObjectStore(client, PublicEndpoint.presigner(client, s3.publicEndpoint(), s3.region(),
                s3.accessKey(), s3.secretKey()), s3.bucket(), s3.presignExpiry());
        store.ensureBucket();
        return store;
    }
}
