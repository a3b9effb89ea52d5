package dev.fedexlora.registry.web;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.registry.Fixtures;
import dev.fedexlora.registry.RegistryIntegrationTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;

/** The pages' HTML without a browser (the browser test needs Chromium): content, plots, and 404 pages. */
class PagesIntegrationTests extends RegistryIntegrationTest {

    @TempDir
    Path tmp;

    @Test
    void versionPageShowsLineageArtifactsAndInlineSvgPlots() throws Exception {
        fixtures.uploadBase("page-bert", Fixtures.checkpoint(tmp.resolve("base"), 4)).andExpect(status().isCreated());
        fixtures.register("page-bert", fixtures.stageRound("job-p", 1, 0, 401, false, tmp).request())
                .andExpect(status().isCreated());
        fixtures.register("page-bert", fixtures.stageRound("job-p", 2, 1, 402, false, tmp).request())
                .andExpect(status().isCreated());
        mvc.perform(get("/models/page-bert/versions/latest"))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_HTML))
                .andExpect(content().string(containsString("page-bert version 2")))
                .andExpect(content().string(containsString(
                        "href=\"/api/v1/models/page-bert/versions/2/artifacts/residual.safetensors\"")))
                .andExpect(content().string(containsString("data-metric=\"exactness\" data-points=\"2\"")))
                .andExpect(content().string(containsString("<title>round 2: 0.5</title>")))
                .andExpect(content().string(containsString("job job-p, round 2")));
        mvc.perform(get("/models/page-bert"))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("data-metric=\"loss\" data-points=\"2\"")));
        mvc.perform(get("/")).andExpect(redirectedUrl("/models"));
    }

    @Test
    void unknownModelOrVersionIsAn404HtmlPage() throws Exception {
        mvc.perform(get("/models/nothing-here"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_HTML))
                .andExpect(content().string(containsString("no model named &#39;nothing-here&#39;")));
        fixtures.uploadBase("page-404", Fixtures.checkpoint(tmp.resolve("b"), 4)).andExpect(status().isCreated());
        mvc.perform(get("/models/page-404/versions/7"))
                .andExpect(status().isNotFound())
                .andExpect(content().string(containsString("Version not found")));
    }
}
