package dev.fedexlora.registry.apidocs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.fedexlora.registry.RegistryIntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Swagger UI can authorise (a bearer scheme applies to every call) and every request body has an example. */
class OpenApiIntegrationTests extends RegistryIntegrationTest {

    @Test
    void declaresABearerSchemeAndAnExampleForEveryRequestBody() throws Exception {
        JsonNode doc = JsonMapper.builder().build().readTree(mvc.perform(get("/v3/api-docs")).andReturn()
                .getResponse().getContentAsString());
        JsonNode scheme = doc.path("components").path("securitySchemes").path("bearer");
        assertThat(scheme.path("type").asString()).isEqualTo("http");
        assertThat(scheme.path("scheme").asString()).isEqualTo("bearer");
        assertThat(doc.path("security").get(0).has("bearer")).isTrue();

        List<String> bodies = new ArrayList<>();
        List<String> withoutExample = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                JsonNode content = op.getValue().path("requestBody").path("content");
                for (Map.Entry<String, JsonNode> media : content.properties()) {
                    String name = op.getKey().toUpperCase() + " " + path.getKey() + " " + media.getKey();
                    bodies.add(name);
                    if (!media.getValue().has("example") && !media.getValue().has("examples")) {
                        withoutExample.add(name);
                    }
                }
            }
        }
        assertThat(bodies).hasSizeGreaterThanOrEqualTo(OpenApiConfiguration.EXAMPLES.size());
        assertThat(withoutExample).isEmpty();
        assertThat(doc.path("paths").path("/api/v1/models/{name}/versions/{version}").path("patch")
                .path("requestBody").path("content").path("application/json").path("example").path("tags").get(0)
                .asString()).isEqualTo("wordnet");
    }
}
