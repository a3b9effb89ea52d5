package dev.fedexlora.coordinator.worker;

import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.SUBMITTER;
import static dev.fedexlora.coordinator.support.CoordinatorTestSupport.WORKER_C;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import dev.fedexlora.coordinator.support.AbstractApiSliceTests;
import dev.fedexlora.coordinator.web.ApiException;

/**
 * Worker registration's HTTP layer alone: a worker credential registers under its own name, other tokens are
 * refused, and a registration without a name or clients answers 400 naming the field before the service runs.
 */
class WorkerControllerIntegrationTests extends AbstractApiSliceTests {

    @Test
    void aWorkerCredentialRegistersAsItself() throws Exception {
        UUID id = UUID.randomUUID();
        given(workers.register(any(), any())).willReturn(id);
        mvc.perform(register(WORKER_C, "{\"name\":\"w1\",\"clients\":[{\"clientId\":\"bound-c1\","
                        + "\"datasets\":{\"wordnet\":120}}]}"))
                .andExpect(status().isOk()).andExpect(jsonPath("$.workerId").value(id.toString()));
        verify(workers).register(new WorkerRegistration("w1", List.of(new WorkerRegistration.Client("bound-c1",
                Map.of("wordnet", 120L)))), "worker-c");
    }

    @Test
    void otherTokensCannotRegisterWorkers() throws Exception {
        String body = "{\"name\":\"w1\",\"clients\":[{\"clientId\":\"c1\",\"datasets\":{}}]}";
        expectProblem(mvc.perform(register(null, body)), 401, "unauthorized", null);
        expectProblem(mvc.perform(register(SUBMITTER, body)), 403, "forbidden", null);
        verifyNoInteractions(workers);
    }

    @Test
    void incompleteRegistrationsAnswer400NamingTheField() throws Exception {
        expectProblem(mvc.perform(register(WORKER_C, "{\"name\":\"\",\"clients\":[{\"clientId\":\"c1\","
                + "\"datasets\":{}}]}")), 400, "invalid-request", "name");
        expectProblem(mvc.perform(register(WORKER_C, "{\"name\":\"w1\",\"clients\":[]}")), 400, "invalid-request",
                "clients");
        expectProblem(mvc.perform(register(WORKER_C, "{\"name\":\"w1\",\"clients\":[{\"clientId\":\" \","
                + "\"datasets\":{}}]}")), 400, "invalid-request", "clients[0].clientId");
        expectProblem(mvc.perform(register(WORKER_C, "{\"name\":\"w1\",\"clients\":[{\"clientId\":\"c1\"}]}")),
                400, "invalid-request", "clients[0].datasets");
        expectProblem(mvc.perform(register(WORKER_C, "{\"name\":\"w1\",\"clients\":[{\"clientId\":\"c1\","
                + "\"datasets\":{\"wordnet\":\"many\"}}]}")), 400, "malformed-body", null);
        verifyNoInteractions(workers);
    }

    @Test
    void theServicesRefusalsKeepTheirStatusAndField() throws Exception {
        given(workers.register(any(), any())).willThrow(new ApiException(HttpStatus.FORBIDDEN, "forbidden",
                "this worker credential is not bound to client 'c9'", "clients.clientId"));
        expectProblem(mvc.perform(register(WORKER_C, "{\"name\":\"w1\",\"clients\":[{\"clientId\":\"c9\","
                + "\"datasets\":{}}]}")), 403, "forbidden", "clients.clientId");
    }

    private static MockHttpServletRequestBuilder register(String token, String json) {
        MockHttpServletRequestBuilder b = post("/api/v1/workers").contentType(MediaType.APPLICATION_JSON).content(json);
        return token == null ? b : b.header("Authorization", bearer(token));
    }
}
