package dev.fedexlora.coordinator.task;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.SUBMITTER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.VIEWER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_A;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import dev.fedexlora.coordinator.support.AbstractApiSliceTests;
import dev.fedexlora.coordinator.web.ApiException;

/**
 * The task protocol's HTTP layer alone: only worker credentials lease, renew, complete and fail tasks (acting as
 * the credential's own name); bodies missing what the protocol needs answer 400 naming the field before the task
 * service is called; the service's refusals (404 lease lost to another worker, 409, 422 rejected upload) keep their
 * problem types. Reading a job's tasks is a viewer's call.
 */
class TaskControllerIntegrationTests extends AbstractApiSliceTests {

    private static final String SHA = "a".repeat(64);

    @Test
    void onlyWorkerCredentialsUseTheProtocol() throws Exception {
        UUID worker = UUID.randomUUID();
        String ref = "{\"workerId\":\"" + worker + "\"}";
        expectProblem(mvc.perform(call("/api/v1/tasks/lease", null, ref)), 401, "unauthorized", null);
        expectProblem(mvc.perform(call("/api/v1/tasks/lease", SUBMITTER, ref)), 403, "forbidden", null);
        expectProblem(mvc.perform(call("/api/v1/tasks/lease", VIEWER, ref)), 403, "forbidden", null);
        expectProblem(mvc.perform(call("/api/v1/tasks/" + UUID.randomUUID() + "/heartbeat", VIEWER, ref)), 403,
                "forbidden", null);
        verifyNoInteractions(tasks);

        given(tasks.lease(worker, "worker-a")).willReturn(Optional.empty());
        mvc.perform(call("/api/v1/tasks/lease", WORKER_A, ref)).andExpect(status().isNoContent());
        verify(tasks).lease(worker, "worker-a");
    }

    @Test
    void bodiesMissingWhatTheProtocolNeedsAnswer400NamingTheField() throws Exception {
        UUID task = UUID.randomUUID();
        UUID worker = UUID.randomUUID();
        expectProblem(mvc.perform(call("/api/v1/tasks/lease", WORKER_A, "{}")), 400, "invalid-request", "workerId");
        expectProblem(mvc.perform(call("/api/v1/tasks/lease", WORKER_A, "{\"workerId\":\"w-1\"}")), 400,
                "malformed-body", "workerId");
        expectProblem(mvc.perform(call("/api/v1/tasks/" + task + "/complete", WORKER_A,
                "{\"workerId\":\"" + worker + "\",\"examples\":10,\"sha256\":{}}")), 400, "invalid-request", "sha256");
        expectProblem(mvc.perform(call("/api/v1/tasks/" + task + "/complete", WORKER_A,
                "{\"workerId\":\"" + worker + "\",\"examples\":-1,\"sha256\":{\"adapter_model.safetensors\":\"" + SHA
                        + "\"}}")), 400, "invalid-request", "examples");
        expectProblem(mvc.perform(call("/api/v1/tasks/" + task + "/complete", WORKER_A,
                "{\"workerId\":\"" + worker + "\",\"examples\":\"many\",\"sha256\":{}}")), 400, "malformed-body",
                "examples");
        expectProblem(mvc.perform(call("/api/v1/tasks/" + task + "/fail", WORKER_A,
                "{\"workerId\":\"" + worker + "\",\"reason\":\"\"}")), 400, "invalid-request", "reason");
        expectProblem(mvc.perform(call("/api/v1/tasks/" + task + "/fail", WORKER_A,
                "{\"workerId\":\"" + worker + "\",\"reason\":\"" + "x".repeat(4001) + "\"}")), 400,
                "invalid-request", "reason");
        expectProblem(mvc.perform(call("/api/v1/tasks/not-a-task/heartbeat", WORKER_A,
                "{\"workerId\":\"" + worker + "\"}")), 400, "invalid-request", "id");
        verifyNoInteractions(tasks);
    }

    @Test
    void theTaskServicesRefusalsKeepTheirProblemTypes() throws Exception {
        UUID task = UUID.randomUUID();
        UUID worker = UUID.randomUUID();
        String ref = "{\"workerId\":\"" + worker + "\"}";
        given(tasks.heartbeat(task, worker, "worker-a")).willThrow(ApiException.notFound("task", task));
        expectProblem(mvc.perform(call("/api/v1/tasks/" + task + "/heartbeat", WORKER_A, ref)), 404, "not-found",
                null);

        String completion = "{\"workerId\":\"" + worker + "\",\"examples\":10,\"sha256\":{\"adapter_model.safetensors\":\""
                + SHA + "\"},\"metrics\":{\"loss\":0.5}}";
        given(tasks.complete(eq(task), any(), eq("worker-a"))).willThrow(ApiException.uploadRejected(
                "upload of task " + task + " rejected: lora_A of layer 0 holds NaN"));
        expectProblem(mvc.perform(call("/api/v1/tasks/" + task + "/complete", WORKER_A, completion)), 422,
                "upload-rejected", null)
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("NaN")));

        willThrow(ApiException.leaseLost(task)).given(tasks).fail(eq(task), any(), eq("worker-a"));
        expectProblem(mvc.perform(call("/api/v1/tasks/" + task + "/fail", WORKER_A,
                "{\"workerId\":\"" + worker + "\",\"reason\":\"out of memory\"}")), 409, "lease-lost", null);
    }

    @Test
    void aCompletionReachesTheServiceWithItsMetricsAndAnswersTheResult() throws Exception {
        UUID task = UUID.randomUUID();
        UUID worker = UUID.randomUUID();
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        given(tasks.complete(eq(task), any(), eq("worker-a"))).willAnswer(a -> {
            TaskRequests.Completion c = a.getArgument(1);
            return new TaskRequests.CompletionResult(task, TaskState.DONE, c.examples(), c.sha256(), at);
        });
        mvc.perform(call("/api/v1/tasks/" + task + "/complete", WORKER_A, "{\"workerId\":\"" + worker
                        + "\",\"examples\":12,\"sha256\":{\"adapter_model.safetensors\":\"" + SHA
                        + "\"},\"metrics\":{\"loss\":0.5,\"accuracy\":0.75}}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.state").value("DONE"))
                .andExpect(jsonPath("$.examples").value(12));
        verify(tasks).complete(eq(task), eq(new TaskRequests.Completion(worker, 12L,
                Map.of("adapter_model.safetensors", SHA), Map.of("loss", 0.5, "accuracy", 0.75))), eq("worker-a"));
    }

    @Test
    void aJobsTasksAreReadByAViewerOnly() throws Exception {
        UUID job = UUID.randomUUID();
        given(tasks.views(job)).willReturn(List.of());
        mvc.perform(get("/api/v1/jobs/" + job + "/tasks").header("Authorization", bearer(VIEWER)))
                .andExpect(status().isOk()).andExpect(jsonPath("$").isArray());
        verify(jobs).requireExists(job);
        expectProblem(mvc.perform(get("/api/v1/jobs/" + job + "/tasks").header("Authorization", bearer(WORKER_A))),
                403, "forbidden", null);

        UUID unknown = UUID.randomUUID();
        willThrow(ApiException.notFound("job", unknown)).given(jobs).requireExists(unknown);
        expectProblem(mvc.perform(get("/api/v1/jobs/" + unknown + "/tasks").header("Authorization",
                bearer(VIEWER))), 404, "not-found", null);
    }

    private static MockHttpServletRequestBuilder call(String path, String token, String json) {
        MockHttpServletRequestBuilder b = post(path).contentType(MediaType.APPLICATION_JSON).content(json);
        return token == null ? b : b.header("Authorization", bearer(token));
    }
}
