package dev.fedexlora.cli.platform;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one-line result of a job: {@code {"job", "status", "model", "modelVersion", "rounds", "finalAccuracy",
 * "maxExactnessError"}}, from the coordinator's job and rounds.
 */
final class JobSummary {

    private JobSummary() {
    }

    static ObjectNode of(PlatformClient client, JsonNode job) {
        String id = job.path("id").asString();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("job", id);
        out.put("status", job.path("state").asString());
        out.put("model", job.path("baseModel").path("name").asString());
        out.set("modelVersion", job.path("modelVersion"));
        int aggregated = 0;
        JsonNode finalAccuracy = JsonNodeFactory.instance.nullNode();
        double maxError = Double.NaN;
        for (JsonNode r : client.rounds(id)) {
            if (!"AGGREGATED".equals(r.path("state").asString())) {
                continue;
            }
            aggregated++;
            finalAccuracy = r.path("meanAccuracy");
            JsonNode e = r.path("exactnessError");
            if (e.isNumber() && !(e.asDouble() <= maxError)) {
                maxError = e.asDouble();
            }
        }
        out.put("rounds", aggregated);
        out.set("finalAccuracy", finalAccuracy.isMissingNode() ? JsonNodeFactory.instance.nullNode() : finalAccuracy);
        if (Double.isNaN(maxError)) {
            out.putNull("maxExactnessError");
        } else {
            out.put("maxExactnessError", maxError);
        }
        if (job.hasNonNull("failureReason")) {
            out.set("failureReason", job.path("failureReason"));
        }
        return out;
    }
}
