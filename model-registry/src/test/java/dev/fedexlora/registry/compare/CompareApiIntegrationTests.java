package dev.fedexlora.registry.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.registry.Fixtures;
import dev.fedexlora.registry.RegistryIntegrationTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.io.TempDir;

class CompareApiIntegrationTests extends RegistryIntegrationTest {

    @TempDir
    Path tmp;

    @Test
    void comparesMetricsLayersAndLineagesOfTwoVersions() throws Exception {
        fixtures.uploadBase("cmp", Fixtures.checkpoint(tmp.resolve("base"), 9)).andExpect(status().isCreated());
        for (int r = 1; r <= 3; r++) {
            fixtures.register("cmp", fixtures.stageRound("job-cmp", r, r - 1, 60 + r, false, tmp).request())
                    .andExpect(status().isCreated());
        }
        // a second job from version 1 branches the lineage
        fixtures.register("cmp", fixtures.stageRound("job-branch", 1, 1, 70, false, tmp).request())
                .andExpect(status().isCreated());

        mvc.perform(get("/api/v1/models/cmp/compare").param("a", "1").param("b", "latest"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.a.version").value(1))
                .andExpect(jsonPath("$.b.version").value(4))
                .andExpect(jsonPath("$.commonAncestor").value(1))
                .andExpect(jsonPath("$.b.lineage[*].version").value(contains(4, 1, 0)))
                .andExpect(jsonPath("$.metrics[0].name").exists());
        JsonNode c = JsonMapper.builder().build().readTree(mvc.perform(get("/api/v1/models/cmp/compare")
                .param("a", "2").param("b", "3")).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString());
        assertThat(c.path("commonAncestor").asInt()).isEqualTo(2);
        JsonNode loss = metric(c, "meanLoss");
        assertThat(loss.path("delta").asDouble()).isCloseTo(1.0 / 3 - 0.5, within(1e-12));
        assertThat(metric(c, "exactnessError").path("b").asDouble()).isCloseTo(3e-7, within(1e-15));
        assertThat(c.path("layers")).hasSize(Fixtures.MODULES.size());
        JsonNode layer = c.path("layers").get(1);
        assertThat(layer.path("module").asString()).isEqualTo(Fixtures.MODULES.get(1));
        assertThat(layer.path("deviationA").asDouble()).isCloseTo(0.04, within(1e-12));
        assertThat(layer.path("deviationB").asDouble()).isCloseTo(0.06, within(1e-12));
        assertThat(c.path("layers").get(0).path("exactnessErrorB").asDouble()).isCloseTo(3e-7, within(1e-15));
        // the base has no round report: no layers on its side
        mvc.perform(get("/api/v1/models/cmp/compare").param("a", "0").param("b", "1"))
                .andExpect(jsonPath("$.layers[0].deviationA").doesNotExist())
                .andExpect(jsonPath("$.layers[0].deviationB").value(closeTo(0.01, 1e-12)))
                .andExpect(jsonPath("$.metrics[?(@.name=='meanLoss')].a").isEmpty());
    }

    private static JsonNode metric(JsonNode comparison, String name) {
        return comparison.path("metrics").valueStream().filter(m -> m.path("name").asString().equals(name))
                .findFirst().orElseThrow();
    }

    @Test
    void unknownVersionsAre404AndMissingParametersAre400() throws Exception {
        fixtures.uploadBase("cmp-bad", Fixtures.checkpoint(tmp.resolve("base"), 3)).andExpect(status().isCreated());
        mvc.perform(get("/api/v1/models/cmp-bad/compare").param("a", "0").param("b", "5"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/version-not-found"));
        mvc.perform(get("/api/v1/models/cmp-bad/compare").param("a", "0")).andExpect(status().isBadRequest());
        mvc.perform(get("/api/v1/models/nope/compare").param("a", "0").param("b", "0"))
                .andExpect(status().isNotFound());
    }
}
