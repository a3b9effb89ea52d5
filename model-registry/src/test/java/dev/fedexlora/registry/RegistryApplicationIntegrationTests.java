package dev.fedexlora.registry;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;

class RegistryApplicationIntegrationTests extends RegistryIntegrationTest {

    @Test
    void startsAndReportsLivenessUp() throws Exception {
        mvc.perform(get("/actuator/health/liveness"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("UP"));
    }

    @Test
    void isReadyOnlyWithItsDatabaseAndBucket() throws Exception {
        mvc.perform(get("/actuator/health/readiness"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("UP"))
                .andExpect(jsonPath("$.components.db.status").value("UP"))
                .andExpect(jsonPath("$.components.objectStore.status").value("UP"));
    }

    @Test
    void exposesMetricsForPrometheus() throws Exception {
        mvc.perform(get("/actuator/prometheus"))
                .andExpect(status().isOk())
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content()
                        .string(org.hamcrest.Matchers.containsString("jvm_memory_used_bytes")));
    }

    @Test
    void publishesOpenApiForTheRestApi() throws Exception {
        mvc.perform(get("/v3/api-docs"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.paths['/api/v1/models/{name}/versions'].post").exists())
                .andExpect(jsonPath("$.paths['/api/v1/models/{name}/versions/{version}/export'].post").exists())
                .andExpect(jsonPath("$.paths['/api/v1/models/import/minilm'].post").exists())
                .andExpect(jsonPath("$.paths['/models/{name}']").doesNotExist());
    }
}
