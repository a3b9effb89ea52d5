package dev.fedexlora.cli.platform;

import java.util.List;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The body of {@code POST /api/v1/jobs} (the coordinator's JobRequest; docs/api.md) as the commands submit it. */
public final class JobRequests {

    private JobRequests() {
    }

    /**
     * A job on version 0 of {@code model}, weighted by the clients' example counts; further fields (a round deadline,
     * a quorum) can be put on the result.
     */
    public static ObjectNode job(String model, String dataset, List<String> clients, String method, int rounds,
                                 int rank, double alpha, List<String> targetModules, double learningRate,
                                 int localSteps, int batchSize, long seed, int numLabels) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode r = f.objectNode();
        r.set("baseModel", f.objectNode().put("name", model).put("version", "0"));
        r.put("dataset", dataset);
        clients.forEach(r.putArray("clients")::add);
        r.put("method", method);
        r.put("rounds", rounds);
        r.put("rank", rank);
        r.put("alpha", alpha);
        targetModules.forEach(r.putArray("targetModules")::add);
        r.put("learningRate", learningRate);
        r.put("localSteps", localSteps);
        r.put("batchSize", batchSize);
        r.put("seed", seed);
        r.put("weighting", "EXAMPLES");
        r.put("numLabels", numLabels);
        return r;
    }
}
