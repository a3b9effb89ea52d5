package dev.fedexlora.coordinator.job;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.SUBMITTER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import dev.fedexlora.coordinator.support.AbstractApiSliceTests;
import dev.fedexlora.coordinator.web.ApiException;
import dev.fedexlora.core.protocol.Method;
import tools.jackson.databind.json.JsonMapper;

/**
 * The job API's HTTP layer alone: who may call what (401 without a token, 403 for the wrong role), bean validation
 * and JSON binding answering 400 problems that name the field before any service is called, and the service's
 * own errors (404, 409) as problems.
 */
class JobControllerIntegrationTests extends AbstractApiSliceTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void submittingNeedsASubmitterToken() throws Exception {
        expectProblem(mvc.perform(submit(null, job(List.of("c1"), 1))), 401, "unauthorized", null);
        expectProblem(mvc.perform(submit("not-a-token", job(List.of("c1"), 1))), 401, "unauthorized", null);
        expectProblem(mvc.perform(submit(VIEWER, job(List.of("c1"), 1))), 403, "forbidden", null);
        expectProblem(mvc.perform(submit(WORKER_A, job(List.of("c1"), 1))), 403, "forbidden", null);
        verifyNoInteractions(jobs);
    }

    @Test
    void aValidSubmissionIsCreatedWithItsLocationAndTheParsedRequest() throws Exception {
        UUID id = UUID.randomUUID();
        given(jobs.create(any())).willAnswer(a -> created(id, a.getArgument(0)));
        Map<String, Object> body = job(List.of("c1", "c2"), 3);
        body.put("baseModel", "fedex://models/tiny-bert@latest");

        mvc.perform(submit(SUBMITTER, body))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/api/v1/jobs/" + id))
                .andExpect(jsonPath("$.id").value(id.toString()))
                .andExpect(jsonPath("$.state").value("RUNNING"));
        ArgumentCaptor<JobRequest> request = ArgumentCaptor.forClass(JobRequest.class);
        verify(jobs).create(request.capture());
        assertThat(request.getValue().baseModel()).isEqualTo(new JobRequest.BaseModelRef("tiny-bert", "latest"));
        assertThat(request.getValue().clients()).containsExactly("c1", "c2");
        assertThat(request.getValue().rounds()).isEqualTo(3);
    }

    @Test
    void constraintViolationsAnswer400NamingTheFieldWithoutReachingTheService() throws Exception {
        Object[][] cases = {
                {"rounds", 0}, {"rounds", null}, {"rounds", 10_001}, {"rank", -3}, {"rank", 4097}, {"alpha", 0},
                {"alpha", 2e6}, {"learningRate", 11}, {"localSteps", 0}, {"batchSize", 65_537}, {"dataset", " "},
                {"targetModules", List.of()}, {"quorum", 0}, {"numLabels", 1}, {"maxSequenceLength", 1},
        };
        for (Object[] c : cases) {
            Map<String, Object> body = job(List.of("c1"), 1);
            body.put((String) c[0], c[1]);
            expectProblem(mvc.perform(submit(SUBMITTER, body)), 400, "invalid-request", (String) c[0]);
        }
        Map<String, Object> noModel = job(List.of("c1"), 1);
        noModel.remove("baseModel");
        expectProblem(mvc.perform(submit(SUBMITTER, noModel)), 400, "invalid-request", "baseModel");
        Map<String, Object> badVersion = job(List.of("c1"), 1);
        badVersion.put("baseModel", Map.of("name", "m", "version", "../0"));
        expectProblem(mvc.perform(submit(SUBMITTER, badVersion)), 400, "invalid-request", "baseModel.version");
        Map<String, Object> blankClient = job(List.of("c1", " "), 1);
        expectProblem(mvc.perform(submit(SUBMITTER, blankClient)), 400, "invalid-request", "clients[1]");
        verifyNoInteractions(jobs);
    }

    @Test
    void valuesJsonCannotBindAnswer400NamingTheField() throws Exception {
        Object[][] cases = {
                {"rounds", 1.5}, {"rounds", "three"}, {"rank", 2147483648L}, {"method", "FEDAVG"},
                {"weighting", "BY_SIZE"}, {"roundDeadline", "half an hour"}, {"clients", "c1"},
        };
        for (Object[] c : cases) {
            Map<String, Object> body = job(List.of("c1"), 1);
            body.put((String) c[0], c[1]);
            expectProblem(mvc.perform(submit(SUBMITTER, body)), 400, "malformed-body", (String) c[0]);
        }
        mvc.perform(post("/api/v1/jobs").header("Authorization", bearer(SUBMITTER))
                        .contentType(MediaType.APPLICATION_JSON).content("{\"rounds\": "))
                .andExpect(problem(400, "malformed-body", null));
        Map<String, Object> badUri = job(List.of("c1"), 1);
        badUri.put("baseModel", "s3://models/m/0");
        mvc.perform(submit(SUBMITTER, badUri)).andExpect(problem(400, "malformed-body", null))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("baseModel")));
        verifyNoInteractions(jobs);
    }

    @Test
    void theServicesRefusalsAnswerAsProblems() throws Exception {
        given(jobs.create(any())).willThrow(ApiException.invalid("targetModules",
                "no 2-d layer of tiny-bert ends with 'no_such_module'"));
        expectProblem(mvc.perform(submit(SUBMITTER, job(List.of("c1"), 1))), 400, "invalid-request",
                "targetModules");

        UUID unknown = UUID.randomUUID();
        given(jobs.get(unknown)).willThrow(ApiException.notFound("job", unknown));
        expectProblem(mvc.perform(get("/api/v1/jobs/" + unknown).header("Authorization", bearer(VIEWER))), 404,
                "not-found", null);

        UUID ended = UUID.randomUUID();
        given(jobs.cancel(ended, "submitter")).willThrow(ApiException.illegalTransition("job " + ended + " ended"));
        expectProblem(mvc.perform(post("/api/v1/jobs/" + ended + "/cancel").header("Authorization",
                bearer(SUBMITTER))), 409, "illegal-transition", null);
    }

    @Test
    void readsNeedAViewerAndMalformedParametersAnswer400() throws Exception {
        expectProblem(mvc.perform(get("/api/v1/jobs")), 401, "unauthorized", null);
        expectProblem(mvc.perform(get("/api/v1/jobs").header("Authorization", bearer(WORKER_A))), 403, "forbidden",
                null);
        expectProblem(mvc.perform(post("/api/v1/jobs/" + UUID.randomUUID() + "/cancel")
                .header("Authorization", bearer(VIEWER))), 403, "forbidden", null);
        given(jobs.list(JobState.RUNNING)).willReturn(List.of());
        mvc.perform(get("/api/v1/jobs?state=RUNNING").header("Authorization", bearer(VIEWER)))
                .andExpect(status().isOk()).andExpect(jsonPath("$").isArray());
        expectProblem(mvc.perform(get("/api/v1/jobs?state=PAUSED").header("Authorization", bearer(VIEWER))), 400,
                "invalid-request", "state");
        expectProblem(mvc.perform(get("/api/v1/jobs/not-a-uuid").header("Authorization", bearer(VIEWER))), 400,
                "invalid-request", "id");
        expectProblem(mvc.perform(get("/api/v1/jobs/not-a-uuid/events").header("Authorization", bearer(VIEWER))),
                400, "invalid-request", "id");
    }

    private static MockHttpServletRequestBuilder submit(String token, Map<String, Object> body) {
        MockHttpServletRequestBuilder b = post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .content(JSON.writeValueAsString(body));
        return token == null ? b : b.header("Authorization", bearer(token));
    }

    private static Job created(UUID id, JobRequest request) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        return new Job(id, JobState.RUNNING, Method.FEDEX, new Job.ModelVersionRef(request.baseModel().name(), 0),
                request.dataset(), request.rounds(), 1, null, null, now, now, null, request);
    }
}
