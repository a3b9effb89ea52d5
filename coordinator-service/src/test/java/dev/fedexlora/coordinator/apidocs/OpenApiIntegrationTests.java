package dev.fedexlora.coordinator.apidocs;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fedexlora.coordinator.AbstractCoordinatorIntegrationTests;
import tools.jackson.databind.JsonNode;

/** Swagger UI can send the bearer token (one scheme for every call) and every request body has an example. */
class OpenApiIntegrationTests extends AbstractCoordinatorIntegrationTests {

    @Test
    void declaresABearerSchemeAndAnExampleForEveryRequestBody() {
        JsonNode doc = call(baseUrl(), "GET", "/v3/api-docs", null, null).json();
        JsonNode scheme = doc.path("components").path("securitySchemes").path("bearer");
        assertThat(scheme.path("type").asString()).isEqualTo("http");
        assertThat(scheme.path("scheme").asString()).isEqualTo("bearer");
        assertThat(doc.path("security").get(0).has("bearer")).isTrue();

        List<String> bodies = new ArrayList<>();
        List<String> withoutExample = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                for (Map.Entry<String, JsonNode> media : op.getValue().path("requestBody").path("content").properties()) {
                    String name = op.getKey() + " " + path.getKey();
                    bodies.add(name);
                    if (!media.getValue().has("example")) {
                        withoutExample.add(name);
                    }
                }
            }
        }
        assertThat(bodies).hasSize(OpenApiConfiguration.EXAMPLES.size());
        assertThat(withoutExample).isEmpty();
        assertThat(doc.path("paths").path("/api/v1/jobs").path("post").path("requestBody").path("content")
                .path("application/json").path("example").path("baseModel").asString())
                .isEqualTo("fedex://models/minilm@latest");
    }
}
