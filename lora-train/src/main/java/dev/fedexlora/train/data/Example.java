package dev.fedexlora.train.data;

/** One labelled text; {@code label} is a class index in {@code [0, numLabels)}. */
public record Example(String text, int label) {

    public Example {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("text must not be blank");
        }
        if (label < 0) {
            throw new IllegalArgumentException("label must be a non-negative class index, got " + label);
        }
    }
}
