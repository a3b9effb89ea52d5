package dev.fedexlora.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import io.minio.MinioClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fedexlora.core.checksum.Sha256;
import dev.fedexlora.platform.embedded.EmbeddedS3;

/** The shared object store on a real (in-process, in-memory) S3: hashing, multipart, the missing-key rule, presigning. */
class ObjectStoreIntegrationTests {

    private static EmbeddedS3 s3;
    private static ObjectStore store;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        s3 = EmbeddedS3.start(null, "127.0.0.1", 0, "access", "secret-key");
        MinioClient client = MinioClient.builder().endpoint(s3.endpoint().toString()).region("us-east-1")
                .credentials("access", "secret-key").build();
        MinioClient presigner = MinioClient.builder().endpoint("https://objects.example.org").region("us-east-1")
                .credentials("access", "secret-key").build();
        store = new ObjectStore(client, presigner, "fedex", 5L << 20);
        store.ensureBucket();
        store.ensureBucket();
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @Test
    void writesReturnTheChecksumOfWhatWasStoredAndReadsReturnTheSameBytes() throws Exception {
        byte[] data = "{\"a\": 1}".getBytes(StandardCharsets.UTF_8);
        StoredObject put = store.put("models/m/config.json", data);
        assertThat(put).isEqualTo(new StoredObject("models/m/config.json", Sha256.hex(data), data.length));
        assertThat(store.read("models/m/config.json")).isEqualTo(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(store.get("models/m/config.json", out)).isEqualTo(put);
        assertThat(out.toByteArray()).isEqualTo(data);
        assertThat(store.hash("models/m/config.json")).isEqualTo(put);
        Path file = tmp.resolve("copy.json");
        assertThat(store.download("models/m/config.json", file)).isEqualTo(put);
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
        assertThat(store.stat("models/m/config.json")).get().extracting(ObjectStore.ObjectInfo::size)
                .isEqualTo((long) data.length);
        assertThat(store.list("models/m/")).containsExactly("models/m/config.json");
    }

    @Test
    void aStreamOfUnknownSizeLargerThanOnePartIsUploadedInPartsAndHashedOnTheWay() {
        byte[] data = new byte[(12 << 20) + 17];
        new Random(7).nextBytes(data);
        StoredObject put = store.put("models/big/model.safetensors", new ByteArrayInputStream(data), -1);
        assertThat(put.sha256()).isEqualTo(Sha256.hex(data));
        assertThat(put.size()).isEqualTo(data.length);
        // S3 marks an object assembled from parts with an ETag ending in -<number of parts>
        assertThat(store.stat(put.key()).orElseThrow().etag()).endsWith("-3");
        assertThat(store.hash(put.key())).isEqualTo(put);
    }

    @Test
    void everyReadOfAMissingKeyThrowsObjectNotFoundAndStatSaysEmpty() {
        assertThat(store.stat("jobs/none")).isEmpty();
        assertThatThrownBy(() -> store.read("jobs/none")).isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("jobs/none");
        assertThatThrownBy(() -> store.hash("jobs/none")).isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> store.download("jobs/none", tmp.resolve("x"))).isInstanceOf(ObjectNotFoundException.class);
        store.delete("jobs/none");
    }

    @Test
    void presignedUrlsNameThePublicEndpointAndAPresignedUrlOnTheStoreEndpointServesTheObject() throws Exception {
        store.put("models/p/config.json", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(store.presignGet("models/p/config.json", Duration.ofMinutes(5)))
                .startsWith("https://objects.example.org/fedex/models/p/config.json?");
        ObjectStore direct = new ObjectStore(MinioClient.builder().endpoint(s3.endpoint().toString())
                .region("us-east-1").credentials("access", "secret-key").build(), "fedex");
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(
                    URI.create(direct.presignGet("models/p/config.json", Duration.ofMinutes(5)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).isEqualTo("{}");
        }
    }

    @Test
    void anUnreachableStoreIsAnObjectStoreExceptionNotANotFound() {
        ObjectStore down = new ObjectStore(MinioClient.builder().endpoint("http://127.0.0.1:1").region("us-east-1")
                .credentials("a", "b").build(), "fedex");
        assertThatThrownBy(() -> down.read("jobs/x")).isInstanceOf(ObjectStoreException.class);
        assertThatThrownBy(down::bucketExists).isInstanceOf(ObjectStoreException.class);
    }
}
