package dev.fedexlora.platform.apidocs;

import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import tools.jackson.databind.ObjectMapper;

/**
 * Puts an example on every request body of a service's OpenAPI document, so that a user can send it as is from
 * Swagger UI (after replacing the ids). Both services declare their examples by {@code "METHOD path"}, the path
 * spelled as the document spells it ({@code /api/v1/tasks/{id}/complete}).
 */
public final class RequestBodyExamples {

    private RequestBodyExamples() {
    }

    /** A customizer setting {@code examples} (JSON text, parsed once here) on the matching request bodies. */
    public static OpenApiCustomizer customizer(Map<String, String> examples, ObjectMapper json) {
        Map<String, Object> parsed = new java.util.HashMap<>();
        examples.forEach((operation, example) -> parsed.put(operation, json.readValue(example, Object.class)));
        return openApi -> openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            Object example = parsed.get(method.name() + " " + path);
            if (op.getRequestBody() != null && op.getRequestBody().getContent() != null && example != null) {
                op.getRequestBody().getContent().values().forEach(media -> media.setExample(example));
            }
        }));
    }
}
