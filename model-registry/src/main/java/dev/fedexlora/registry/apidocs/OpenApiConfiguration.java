package dev.fedexlora.registry.apidocs;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import java.util.Map;
import dev.fedexlora.platform.apidocs.RequestBodyExamples;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.ObjectMapper;

/**
 * The registry's OpenAPI document: a bearer security scheme (Swagger UI's "Authorize" sends the token on every
 * call) and an example for every request body.
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(info = @Info(title = "FedEx-LoRA model registry", version = "v1",
        description = "Models, their immutable versions, lineage, aliases, notes, artifacts and exports."),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API token with the reader, publisher or admin role.")
class OpenApiConfiguration {

    /** Request body examples by "METHOD path" as the OpenAPI document spells the path. */
    static final Map<String, String> EXAMPLES = Map.of(
            "POST /api/v1/models", """
                    {"name": "bert-base-uncased", "config.json": "(file) config.json",
                     "model.safetensors": "(file) model.safetensors", "tokenizer.json": "(file) tokenizer.json",
                     "tags": "english,encoder"}""",
            "POST /api/v1/models/import/minilm", """
                    {"name": "minilm"}""",
            "PUT /api/v1/models/{name}/tags", """
                    {"tags": ["wordnet", "encoder"]}""",
            "PUT /api/v1/models/{name}/aliases/{alias}", """
                    {"version": 3}""",
            "PATCH /api/v1/models/{name}/versions/{version}", """
                    {"description": "Round 5 of the WordNet run; best validation accuracy so far",
                     "tags": ["wordnet", "candidate"]}""",
            "POST /api/v1/models/{name}/versions", """
                    {"parentVersion": 2, "source": {"jobId": "6f1c1f0e-0000-4000-8000-000000000001", "round": 3},
                     "method": "FEDEX",
                     "clients": [{"clientId": "client-1", "examples": 3200, "weight": 0.5},
                                 {"clientId": "client-2", "examples": 3200, "weight": 0.5}],
                     "metrics": {"participants": 2, "meanLoss": 0.84, "meanAccuracy": 0.71, "maxDeviation": 0.012},
                     "exactnessError": 2.1e-7,
                     "artifacts": [{"file": "adapter_model.safetensors",
                                    "objectKey": "jobs/6f1c1f0e-0000-4000-8000-000000000001/rounds/3/version/adapter_model.safetensors",
                                    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                                    "size": 73856},
                                   {"file": "adapter_config.json",
                                    "objectKey": "jobs/6f1c1f0e-0000-4000-8000-000000000001/rounds/3/version/adapter_config.json",
                                    "sha256": "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
                                    "size": 412}]}""");

    @Bean
    OpenApiCustomizer requestBodyExamples(ObjectMapper json) {
        return RequestBodyExamples.customizer(EXAMPLES, json);
    }
}
