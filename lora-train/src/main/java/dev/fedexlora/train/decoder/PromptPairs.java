package dev.fedexlora.train.decoder;

import dev.fedexlora.train.data.Example;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Prompt/response pairs for causal-LM fine-tuning, built offline from the repository's labelled data sets: each
 * labelled text becomes {@code "Gloss: <text>\nCategory:"} → {@code "<category>"}, the category being the label's
 * name without its {@code noun.} prefix (for the WordNet sample, e.g. {@code "a large shallow dish used for serving
 * food"} → {@code "artifact"}). The pair keeps its example's label, so a Dirichlet split over labels (non-IID
 * clients) applies unchanged, and the response is short and closed-vocabulary, so exact match is well defined.
 */
public final class PromptPairs {

    static final String PROMPT = "Gloss: %s\nCategory:";

    private PromptPairs() {
    }

    /**
     * The label names of a data set, one per line in label order (e.g. {@code datasets/wordnet-nouns-labels.txt}).
     */
    public static List<String> labelNames(Path file) throws IOException {
        List<String> names = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                .filter(l -> !l.isEmpty()).toList();
        if (names.isEmpty()) {
            throw new IOException(file + ": no label names");
        }
        return names;
    }

    /** The pair of one labelled example. */
    public static LmData.Example pair(Example e, List<String> labelNames) {
        if (e.label() >= labelNames.size()) {
            throw new IllegalArgumentException("label " + e.label() + " has no name (" + labelNames.size() + " names)");
        }
        return new LmData.Example(String.format(Locale.ROOT, PROMPT, e.text().strip()), category(labelNames.get(e.label())),
                null);
    }

    public static List<LmData.Example> pairs(List<Example> examples, List<String> labelNames) {
        return examples.stream().map(e -> pair(e, labelNames)).toList();
    }

    /** {@code noun.artifact} → {@code artifact}; a name without a prefix is kept. */
    static String category(String labelName) {
        String s = labelName.strip();
        int dot = s.indexOf('.');
        return dot >= 0 && dot + 1 < s.length() ? s.substring(dot + 1) : s;
    }
}
