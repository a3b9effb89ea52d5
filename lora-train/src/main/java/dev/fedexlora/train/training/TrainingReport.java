package dev.fedexlora.train.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one local training run did.
 *
 * @param steps         optimizer steps taken
 * @param examples      training examples the client holds (the aggregation weight)
 * @param examplesSeen  examples processed (steps × batch, the last batch of an epoch may be smaller)
 * @param tokens        non-padding tokens processed
 * @param trainLoss     mean training loss over the steps
 * @param finalLoss     training loss of the last step
 * @param eval          held-out evaluation after training
 * @param seconds       wall time of the training steps (tokenisation and evaluation excluded)
 */
public record TrainingReport(int steps, int examples, long examplesSeen, long tokens, double trainLoss,
                             double finalLoss, Evaluation eval, double seconds) {

    public double examplesPerSecond() {
        return seconds > 0 ? examplesSeen / seconds : 0;
    }

    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : 0;
    }

    /** The metrics a task completes with (flat, JSON-friendly; NaN values left out). */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("steps", (double) steps);
        m.put("trainLoss", trainLoss);
        m.put("finalLoss", finalLoss);
        m.put("evalLoss", eval.loss());
        m.put("evalAccuracy", eval.accuracy());
        m.put("evalExamples", (double) eval.examples());
        m.put("examplesPerSecond", examplesPerSecond());
        m.put("tokensPerSecond", tokensPerSecond());
        m.put("seconds", seconds);
        m.values().removeIf(v -> v.isNaN() || v.isInfinite());
        return m;
    }
}
