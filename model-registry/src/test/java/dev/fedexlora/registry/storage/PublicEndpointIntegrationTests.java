package dev.fedexlora.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fedexlora.registry.RegistryIntegrationTest;
import dev.fedexlora.registry.infra.EmbeddedS3;
import io.minio.MinioClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Links presigned for the public endpoint name that host and work there. The test's s3proxy listens on 127.0.0.1;
 * "localhost" plays the public name users reach the same store by (a signature covers the host, so a link for one
 * name is refused under the other: rewriting hosts after signing cannot work, signing on the public name does).
 */
class PublicEndpointIntegrationTests extends RegistryIntegrationTest {

    @Autowired
    MinioClient internal;

    @Autowired
    EmbeddedS3 s3;

    @Autowired
    ObjectStore store;

    @Test
    void linksNameThePublicHostAndDownloadThere() throws Exception {
        int port = s3.endpoint().getPort();
        assertThat(s3.endpoint().getHost()).isEqualTo("127.0.0.1");
        MinioClient presigner = PublicEndpoint.presigner(internal, "http://localhost:" + port, "us-east-1", "fedex",
                "fedex-secret");
        ObjectStore publicLinks = new ObjectStore(internal, presigner, store.bucket(), Duration.ofMinutes(5));
        publicLinks.put("public-endpoint/hello.txt", "hello".getBytes(StandardCharsets.UTF_8));

        URI link = URI.create(publicLinks.presignGet("public-endpoint/hello.txt"));
        assertThat(link.getHost()).isEqualTo("localhost");
        assertThat(link.getPort()).isEqualTo(port);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(link).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("hello");
            URI rewritten = URI.create(link.toString().replace("//localhost:", "//127.0.0.1:"));
            assertThat(http.send(HttpRequest.newBuilder(rewritten).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).isEqualTo(403);
        }
        // without a public endpoint the registry's own client signs
        assertThat(PublicEndpoint.presigner(internal, " ", "us-east-1", "a", "b")).isSameAs(internal);
    }

    @Test
    void aPublicEndpointWithAPathOrWithoutRegionIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> PublicEndpoint.presigner(internal, "https://files.example.org/bucket", "us-east-1",
                "a", "b")).hasMessageContaining("FEDEX_S3_PUBLIC_ENDPOINT");
        assertThatThrownBy(() -> PublicEndpoint.presigner(internal, "ftp://files.example.org", "us-east-1", "a", "b"))
                .hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> PublicEndpoint.presigner(internal, "https://files.example.org", "", "a", "b"))
                .hasMessageContaining("FEDEX_S3_REGION");
    }
}
