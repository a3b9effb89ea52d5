package dev.fedexlora.coordinator.apidocs;

import java.util.Map;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import dev.fedexlora.platform.apidocs.RequestBodyExamples;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import tools.jackson.databind.json.JsonMapper;

/**
 * The coordinator's OpenAPI document: every call takes a bearer token (Swagger UI's "Authorize" sends it), and
 * every request body carries an example a user can send as is from Swagger UI (after replacing the ids).
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(info = @Info(title = "FedEx-LoRA coordinator", version = "v1",
        description = "Jobs, rounds, tasks and their events. Roles: SUBMITTER creates and cancels jobs, VIEWER reads,"
                + " WORKER registers workers and runs tasks."),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API token (development: dev-submitter, dev-viewer, dev-worker-0 .. dev-worker-7).")
class OpenApiConfiguration {

    /** Request body examples by "METHOD path" as the OpenAPI document spells the path. */
    static final Map<String, String> EXAMPLES = Map.of(
            "POST /api/v1/jobs", """
                    {"baseModel": "fedex://models/minilm@latest", "dataset": "wordnet-nouns",
                     "clients": ["client-1", "client-2", "client-3"], "method": "FEDEX", "rounds": 5, "rank": 8,
                     "alpha": 16, "targetModules": ["query", "value"], "learningRate": 0.0005, "localSteps": 50,
                     "batchSize": 16, "seed": 42, "weighting": "EXAMPLES", "roundDeadline": "PT30M", "numLabels": 26}""",
            "POST /api/v1/workers", """
                    {"name": "worker-eu-1", "clients": [{"clientId": "client-1", "datasets": {"wordnet-nouns": 3200}}]}""",
            "POST /api/v1/tasks/lease", """
                    {"workerId": "6f1c1f0e-0000-4000-8000-000000000001"}""",
            "POST /api/v1/tasks/{id}/heartbeat", """
                    {"workerId": "6f1c1f0e-0000-4000-8000-000000000001"}""",
            "POST /api/v1/tasks/{id}/complete", """
                    {"workerId": "6f1c1f0e-0000-4000-8000-000000000001", "examples": 3200,
                     "sha256": {"adapter_model.safetensors": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
                     "metrics": {"loss": 0.84, "accuracy": 0.71}}""",
            "POST /api/v1/tasks/{id}/fail", """
                    {"workerId": "6f1c1f0e-0000-4000-8000-000000000001", "reason": "out of memory at step 12"}""");

    /** A second job example, in the body's description: the causal-LM task on a decoder base. */
    static final String CAUSAL_LM_JOB = """
            {"baseModel": "fedex://models/tiny-llama@latest", "task": "CAUSAL_LM", "dataset": "wordnet-qa",
             "clients": ["client-0", "client-1", "client-2"], "method": "FEDEX", "rounds": 3, "rank": 8, "alpha": 16,
             "targetModules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
             "learningRate": 0.001, "localSteps": 20, "batchSize": 8, "maxSequenceLength": 64}""";

    @Bean
    OpenApiCustomizer requestBodyExamples(JsonMapper json) {
        OpenApiCustomizer examples = RequestBodyExamples.customizer(EXAMPLES, json);
        return openApi -> {
            examples.customise(openApi);
            var jobs = openApi.getPaths() == null ? null : openApi.getPaths().get("/api/v1/jobs");
            if (jobs != null && jobs.getPost() != null && jobs.getPost().getRequestBody() != null) {
                jobs.getPost().getRequestBody().setDescription("task SEQUENCE_CLASSIFICATION (the default, an encoder"
                        + " base, numLabels) or CAUSAL_LM (a decoder base, maxSequenceLength), for example:\n\n```json\n"
                        + CAUSAL_LM_JOB + "\n```");
            }
        };
    }
}
