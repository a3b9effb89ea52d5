package dev.fedexlora.registry.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fedexlora.registry.RegistryProperties;
import dev.fedexlora.registry.storage.ObjectStore;
import dev.fedexlora.registry.storage.StoredObject;
import io.minio.MinioClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone object store: the embedded s3proxy on a filesystem store, as {@code java -jar} starts it with
 * the default {@code ./data/s3}. Objects survive a restart of the proxy, and presigned URLs serve them.
 */
class EmbeddedS3IntegrationTests {

    @TempDir
    Path tmp;

    @Test
    void filesystemStoreUnderARelativeLookingPathKeepsObjectsAcrossRestarts() throws Exception {
        // "./" segments as in the default ./data/s3: s3proxy refuses an unnormalised root as path traversal
        String dir = tmp + "/./data/s3";
        RegistryProperties properties = new RegistryProperties(
                new RegistryProperties.S3(null, "us-east-1", "fedex", "fedex-secret", "fedex", Duration.ofMinutes(5), null),
                new RegistryProperties.Embedded("", dir, 0, "127.0.0.1"));

        EmbeddedS3 first = EmbeddedS3.start(properties);
        StoredObject put;
        try (MinioClient client = client(first)) {
            ObjectStore store = new ObjectStore(client, "fedex", Duration.ofMinutes(5));
            store.ensureBucket();
            store.ensureBucket();
            put = store.put("models/m/base/config.json", "{\"a\": 1}".getBytes(StandardCharsets.UTF_8));
        } finally {
            first.stop();
        }
        assertThat(Files.exists(tmp.resolve("data/s3/fedex"))).isTrue();

        EmbeddedS3 second = EmbeddedS3.start(properties);
        try (MinioClient client = client(second)) {
            ObjectStore store = new ObjectStore(client, "fedex", Duration.ofMinutes(5));
            store.ensureBucket();
            assertThat(store.hash("models/m/base/config.json").sha256()).isEqualTo(put.sha256());
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> res = http.send(HttpRequest.newBuilder(
                        URI.create(store.presignGet("models/m/base/config.json"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).isEqualTo(200);
                assertThat(res.body()).isEqualTo("{\"a\": 1}");
            }
        } finally {
            second.stop();
        }
    }

    private static MinioClient client(EmbeddedS3 s3) {
        return MinioClient.builder().endpoint(s3.endpoint().toString()).region("us-east-1")
                .credentials("fedex", "fedex-secret").build();
    }
}
