package dev.fedexlora.coordinator.round;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.SUBMITTER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.fedexlora.coordinator.support.AbstractApiSliceTests;
import dev.fedexlora.coordinator.web.ApiException;

/** A job's rounds over HTTP: a viewer's read, 404 for an unknown job, 400 for a malformed id, nothing else allowed. */
class RoundControllerIntegrationTests extends AbstractApiSliceTests {

    @Test
    void aViewerReadsTheRoundsOfAJob() throws Exception {
        UUID job = UUID.randomUUID();
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        given(rounds.views(job)).willReturn(List.of(new RoundView(UUID.randomUUID(), 1, 1, RoundState.AGGREGATED, 2,
                t, t.plusSeconds(60), t.plusSeconds(30), 2, 0.5, 0.75, 1e-7, 0.01, 100L, 200L, 1.5, 1, null)));
        mvc.perform(get("/api/v1/jobs/" + job + "/rounds").header("Authorization", bearer(SUBMITTER)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].state").value("AGGREGATED"))
                .andExpect(jsonPath("$[0].modelVersion").value(1));
    }

    @Test
    void unknownJobsMalformedIdsAndOtherRolesAreRefused() throws Exception {
        UUID unknown = UUID.randomUUID();
        willThrow(ApiException.notFound("job", unknown)).given(jobs).requireExists(unknown);
        expectProblem(mvc.perform(get("/api/v1/jobs/" + unknown + "/rounds").header("Authorization",
                bearer(VIEWER))), 404, "not-found", null);
        expectProblem(mvc.perform(get("/api/v1/jobs/round-one/rounds").header("Authorization", bearer(VIEWER))),
                400, "invalid-request", "id");
        expectProblem(mvc.perform(get("/api/v1/jobs/" + unknown + "/rounds")), 401, "unauthorized", null);
        expectProblem(mvc.perform(get("/api/v1/jobs/" + unknown + "/rounds").header("Authorization",
                bearer(WORKER_A))), 403, "forbidden", null);
        // no call outside the configured ones, whatever the role
        expectProblem(mvc.perform(delete("/api/v1/jobs/" + unknown + "/rounds").header("Authorization",
                bearer(SUBMITTER))), 403, "forbidden", null);
        verifyNoInteractions(rounds);
    }
}
