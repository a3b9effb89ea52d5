package dev.fedexlora.train.data;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dataset format: UTF-8 JSON Lines, one object per line with {@code "text"} (a string) and {@code "label"}
 * (a non-negative integer class index); other fields (e.g. {@code "category"}) are ignored, blank lines skipped.
 */
public final class Jsonl {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private Jsonl() {
    }

    /** @throws InvalidDatasetException naming the file, the line and the offending field */
    public static List<Example> read(Path file) throws IOException {
        return read(file, Jsonl::parse);
    }

    /** One JSON object of a line, turned into a record or refused with the field at fault. */
    @FunctionalInterface
    public interface LineParser<T> {
        T parse(JsonNode object, Path file, int line) throws InvalidDatasetException;
    }

    /**
     * Every non-blank line of {@code file} as a JSON object, through {@code parser}: the one reader of the
     * platform's JSONL formats. @throws InvalidDatasetException naming the file, the line and the field
     */
    public static <T> List<T> read(Path file, LineParser<T> parser) throws IOException {
        List<T> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (JacksonException e) {
                    throw new InvalidDatasetException(file, number, null, "not a JSON object: " + e.getOriginalMessage());
                }
                if (n == null || !n.isObject()) {
                    throw new InvalidDatasetException(file, number, null, "not a JSON object");
                }
                out.add(parser.parse(n, file, number));
            }
        }
        return out;
    }

    private static Example parse(JsonNode n, Path file, int number) throws InvalidDatasetException {
        JsonNode text = n.path("text");
        if (!text.isString() || text.asString().isBlank()) {
            throw new InvalidDatasetException(file, number, "text", "must be a non-blank string");
        }
        JsonNode label = n.path("label");
        if (!label.isIntegralNumber() || label.asLong() < 0 || label.asLong() > Integer.MAX_VALUE) {
            throw new InvalidDatasetException(file, number, "label", "must be a non-negative integer class index");
        }
        return new Example(text.asString(), label.asInt());
    }

    public static void write(Path file, List<Example> examples) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Example e : examples) {
                ObjectNode n = JSON.createObjectNode();
                n.put("text", e.text());
                n.put("label", e.label());
                w.write(JSON.writeValueAsString(n));
                w.newLine();
            }
        }
    }

    /** The number of classes: one more than the largest label. */
    public static int numLabels(List<Example> examples) {
        return examples.stream().mapToInt(Example::label).max().orElse(-1) + 1;
    }
}
