package dev.fedexlora.coordinator.pages;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.MODEL;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.SUBMITTER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fedexlora.coordinator.AbstractRegistryContractIntegrationTests;
import dev.fedexlora.coordinator.support.TestWorker.Response;

/**
 * The jobs page's shell is served without a token but holds no job data; the data stays behind the viewer role.
 * The job API takes the base model as a {@code fedex://} URI too.
 */
class JobsPageIntegrationTests extends AbstractRegistryContractIntegrationTests {

    @Test
    void theShellIsPublicAndHoldsNoDataWhileTheApiStillNeedsAToken() {
        String id = submit(baseUrl(), job(List.of("shell-c1"), 1));
        Response page = call(baseUrl(), "GET", "/jobs", null, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("id=\"token-form\"", "/jobs/jobs.js").doesNotContain(id);
        assertThat(call(baseUrl(), "GET", "/jobs/jobs.js", null, null).status()).isEqualTo(200);
        assertThat(call(baseUrl(), "GET", "/jobs/settings.json", null, null).json().path("registryUrl").asString())
                .startsWith("http");
        assertThat(call(baseUrl(), "GET", "/api/v1/jobs", null, null).status()).isEqualTo(401);
        assertThat(call(baseUrl(), "GET", "/api/v1/jobs/" + id + "/events", null, null).status()).isEqualTo(401);
        assertThat(call(baseUrl(), "GET", "/jobs/other.html", null, null).status()).isEqualTo(401);
    }

    @Test
    void jobsTakeTheBaseModelAsAVersionUri() {
        Map<String, Object> byAlias = job(List.of("uri-c1"), 1);
        byAlias.put("baseModel", "fedex://models/" + MODEL + "@latest");
        Response created = call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, byAlias);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("baseModel").path("name").asString()).isEqualTo(MODEL);
        assertThat(created.json().path("request").path("baseModel").path("version").asString()).isEqualTo("latest");

        Map<String, Object> byNumber = job(List.of("uri-c2"), 1);
        byNumber.put("baseModel", "fedex://models/" + MODEL + "/0");
        Response numbered = call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, byNumber);
        assertThat(numbered.status()).isEqualTo(201);
        assertThat(numbered.json().path("baseModel").path("version").asInt()).isZero();
        assertThat(call(baseUrl(), "GET", "/api/v1/jobs/" + numbered.json().path("id").asString(), VIEWER, null)
                .json().path("request").path("baseModel").path("name").asString()).isEqualTo(MODEL);

        for (String bad : List.of("s3://models/" + MODEL + "/0", "fedex://models/" + MODEL, "fedex://models/../x@y")) {
            Map<String, Object> request = job(List.of("uri-c3"), 1);
            request.put("baseModel", bad);
            Response r = call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, request);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().path("detail").asString()).as(bad).contains("baseModel");
        }
        Map<String, Object> unknown = job(List.of("uri-c4"), 1);
        unknown.put("baseModel", "fedex://models/no-such-model@latest");
        Response r = call(baseUrl(), "POST", "/api/v1/jobs", SUBMITTER, unknown);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("field").asString()).isEqualTo("baseModel");
    }
}
