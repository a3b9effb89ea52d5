package dev.fedexlora.train.training;

/** Mean cross-entropy and accuracy over {@code examples} held-out examples (NaN when there were none). */
public record Evaluation(double loss, double accuracy, int examples) {
}
