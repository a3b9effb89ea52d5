package dev.fedexlora.registry.version;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.registry.Fixtures;
import dev.fedexlora.registry.RegistryIntegrationTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.ResultActions;

/** Descriptions, tags, archiving and alias removal: what users change on a version after it exists. */
class VersionNotesApiIntegrationTests extends RegistryIntegrationTest {

    @TempDir
    Path tmp;

    private void lineage(String model, int rounds) throws Exception {
        fixtures.uploadBase(model, Fixtures.checkpoint(tmp.resolve("base-" + model), 5)).andExpect(status().isCreated());
        for (int r = 1; r <= rounds; r++) {
            fixtures.register(model, fixtures.stageRound("job-" + model, r, r - 1, 40 + r, false, tmp).request())
                    .andExpect(status().isCreated());
        }
    }

    private ResultActions describe(String model, String version, String json) throws Exception {
        return mvc.perform(patch("/api/v1/models/" + model + "/versions/" + version)
                .contentType(MediaType.APPLICATION_JSON).content(json));
    }

    @Test
    void descriptionAndTagsAreSetKeptAndCleared() throws Exception {
        lineage("notes", 1);
        describe("notes", "1", "{\"description\": \"first WordNet round\", \"tags\": [\"wordnet\", \"candidate\"]}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.description").value("first WordNet round"))
                .andExpect(jsonPath("$.tags").value(contains("candidate", "wordnet")))
                .andExpect(jsonPath("$.archived").value(false))
                .andExpect(jsonPath("$.lineage[*].version").value(contains(1, 0)));
        // a field left out keeps its value
        describe("notes", "latest", "{\"tags\": [\"best\"]}")
                .andExpect(jsonPath("$.description").value("first WordNet round"))
                .andExpect(jsonPath("$.tags").value(contains("best")));
        describe("notes", "1", "{\"description\": \"\"}")
                .andExpect(jsonPath("$.description").doesNotExist())
                .andExpect(jsonPath("$.tags").value(contains("best")));
        mvc.perform(get("/api/v1/models/notes/versions/1")).andExpect(jsonPath("$.tags").value(contains("best")));
        // a version without notes has none
        mvc.perform(get("/api/v1/models/notes/versions/0")).andExpect(jsonPath("$.tags").isEmpty())
                .andExpect(jsonPath("$.archived").value(false));
    }

    @Test
    void badNotesAre400sNamingTheFieldAndUnknownVersionsAre404() throws Exception {
        lineage("bad-notes", 1);
        describe("bad-notes", "1", "{\"tags\": [\"Not A Tag\"]}").andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/invalid-request"))
                .andExpect(jsonPath("$.field").value("tags[0]"));
        describe("bad-notes", "1", "{\"description\": \"" + "x".repeat(4001) + "\"}")
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.field").value("description"));
        describe("bad-notes", "9", "{\"description\": \"x\"}").andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/version-not-found"));
        describe("no-such-model", "1", "{\"description\": \"x\"}").andExpect(status().isNotFound());
        describe("bad-notes", "1", "not json").andExpect(status().isBadRequest());
    }

    @Test
    void archivingHidesWithoutDeletingAndIsRefusedWhileAnAliasNamesTheVersion() throws Exception {
        lineage("archive", 3);
        mvc.perform(put("/api/v1/models/archive/aliases/production").contentType(MediaType.APPLICATION_JSON)
                .content("{\"version\": 1}")).andExpect(status().isOk());
        // named by production, and 3 by latest: refused
        mvc.perform(post("/api/v1/models/archive/versions/1/archive")).andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/version-aliased"))
                .andExpect(jsonPath("$.aliases").value(contains("production")));
        mvc.perform(post("/api/v1/models/archive/versions/latest/archive")).andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value(containsString("latest")));

        // version 2 lies on version 3's lineage: archiving hides it, never removes it
        mvc.perform(post("/api/v1/models/archive/versions/2/archive")).andExpect(status().isOk())
                .andExpect(jsonPath("$.archived").value(true));
        mvc.perform(post("/api/v1/models/archive/versions/2/archive")).andExpect(status().isOk());
        mvc.perform(get("/api/v1/models/archive/versions"))
                .andExpect(jsonPath("$.items[*].version").value(contains(3, 1, 0)))
                .andExpect(jsonPath("$.totalItems").value(3));
        mvc.perform(get("/api/v1/models/archive/versions").param("archived", "true"))
                .andExpect(jsonPath("$.items[*].version").value(contains(3, 2, 1, 0)))
                .andExpect(jsonPath("$.items[1].archived").value(true));
        mvc.perform(get("/api/v1/models/archive/versions/3"))
                .andExpect(jsonPath("$.lineage[*].version").value(contains(3, 2, 1, 0)));
        mvc.perform(get("/api/v1/models/archive/versions/2/artifacts/residual.safetensors").param("presign", "true"))
                .andExpect(status().isOk());
        // no new alias on an archived version
        mvc.perform(put("/api/v1/models/archive/aliases/staging").contentType(MediaType.APPLICATION_JSON)
                .content("{\"version\": 2}")).andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value("https://fedex-lora.dev/problems/version-archived"));

        mvc.perform(post("/api/v1/models/archive/versions/2/unarchive")).andExpect(status().isOk())
                .andExpect(jsonPath("$.archived").value(false));
        mvc.perform(get("/api/v1/models/archive/versions")).andExpect(jsonPath("$.totalItems").value(4));
        mvc.perform(post("/api/v1/models/archive/versions/7/archive")).andExpect(status().isNotFound());
    }

    @Test
    void aliasesAreRemovedButLatestStays() throws Exception {
        lineage("unalias", 2);
        mvc.perform(put("/api/v1/models/unalias/aliases/production").contentType(MediaType.APPLICATION_JSON)
                .content("{\"version\": 1}")).andExpect(status().isOk());
        mvc.perform(delete("/api/v1/models/unalias/aliases/production")).andExpect(status().isOk())
                .andExpect(jsonPath("$.aliases.production").doesNotExist())
                .andExpect(jsonPath("$.aliases.latest").value(2));
        mvc.perform(delete("/api/v1/models/unalias/aliases/production")).andExpect(status().isNotFound())
                .andExpect(jsonPath("$.field").value("alias"));
        mvc.perform(delete("/api/v1/models/unalias/aliases/latest")).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("alias"));
        mvc.perform(get("/api/v1/models/unalias/versions/production")).andExpect(status().isNotFound());
    }
}
