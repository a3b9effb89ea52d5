package dev.fedexlora.cli.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The causal-LM demo's data, built offline from the WordNet sample ({@code {"text", "label", "category"}} lines):
 * every definition becomes a prompt/response pair, "which kind of noun is defined as ‹gloss›" → the WordNet
 * category's name (" animal", " artifact", …). A tenth of every category is held out for the global evaluation
 * (no client holds it); the rest is split by category, non-IID in the strongest sense: category {@code label} goes to
 * client {@code label mod clients}, so each client knows its own kinds of noun only, and only the federation sees
 * them all.
 */
public final class LmDemoData {

    /** Share of every category held out for the global evaluation. */
    static final double HELD_OUT = 0.1;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private LmDemoData() {
    }

    /**
     * What was written: client id → its JSONL file, the held-out file, and each client's categories.
     */
    public record Split(Map<String, Path> clients, Path heldOut, Map<String, List<String>> categories) {
    }

    /** The prompt of one definition. */
    public static String prompt(String gloss) {
        return "Which kind of noun is defined as \"" + gloss + "\"? Kind:";
    }

    /** The response for a WordNet category ({@code noun.animal} → {@code " animal"}). */
    public static String response(String category) {
        return " " + category.substring(category.indexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Writes {@code client-0.jsonl} … and {@code held-out.jsonl} into {@code dir} from {@code source}; the same
     * {@code seed} gives the same files.
     */
    public static Split write(Path source, Path dir, int clients, long seed) throws IOException {
        if (clients < 1 || clients > 26) {
            throw new IllegalArgumentException("--clients must be 1..26 for the causal-LM demo, got " + clients);
        }
        Map<Integer, List<JsonNode>> byLabel = new TreeMap<>();
        Map<Integer, String> names = new TreeMap<>();
        int number = 0;
        for (String line : Files.readAllLines(source)) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            if (!n.path("text").isString() || !n.path("label").isIntegralNumber() || !n.path("category").isString()) {
                throw new IllegalArgumentException(source + ":" + number + ": needs \"text\", \"label\" and"
                        + " \"category\" (the WordNet sample's fields)");
            }
            byLabel.computeIfAbsent(n.path("label").asInt(), k -> new ArrayList<>()).add(n);
            names.put(n.path("label").asInt(), n.path("category").asString());
        }
        Files.createDirectories(dir);
        Random rnd = new Random(seed);
        List<StringBuilder> out = new ArrayList<>();
        Map<String, List<String>> categories = new LinkedHashMap<>();
        for (int c = 0; c < clients; c++) {
            out.add(new StringBuilder());
            categories.put("client-" + c, new ArrayList<>());
        }
        StringBuilder heldOut = new StringBuilder();
        for (Map.Entry<Integer, List<JsonNode>> e : byLabel.entrySet()) {
            List<JsonNode> lines = new ArrayList<>(e.getValue());
            Collections.shuffle(lines, rnd);
            int held = Math.max(1, (int) Math.round(lines.size() * HELD_OUT));
            int owner = Math.floorMod(e.getKey(), clients);
            categories.get("client-" + owner).add(names.get(e.getKey()));
            for (int i = 0; i < lines.size(); i++) {
                JsonNode n = lines.get(i);
                String pair = JSON.writeValueAsString(Map.of("prompt", prompt(n.path("text").asString()),
                        "response", response(n.path("category").asString()))) + "\n";
                (i < held ? heldOut : out.get(owner)).append(pair);
            }
        }
        Map<String, Path> files = new LinkedHashMap<>();
        for (int c = 0; c < clients; c++) {
            Path f = dir.resolve("client-" + c + ".jsonl");
            Files.writeString(f, shuffled(out.get(c), rnd));
            files.put("client-" + c, f);
        }
        Path held = dir.resolve("held-out.jsonl");
        Files.writeString(held, shuffled(heldOut, rnd));
        return new Split(files, held, categories);
    }

    /** The lines of {@code text} in a seeded order (so a worker's own held-out share mixes its categories). */
    private static String shuffled(StringBuilder text, Random rnd) {
        List<String> lines = new ArrayList<>(List.of(text.toString().split("\n")));
        lines.removeIf(String::isEmpty);
        Collections.shuffle(lines, rnd);
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    /** The categories of {@code split} as one line per client, for the demo's progress output. */
    static String describe(Split split) {
        StringBuilder s = new StringBuilder();
        split.categories().forEach((client, cats) -> {
            long lines;
            try (var l = Files.lines(split.clients().get(client))) {
                lines = l.count();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            s.append(String.format(java.util.Locale.ROOT, "  %s: %d pairs of %d categories (%s)%n", client, lines,
                    cats.size(), String.join(", ", new TreeSet<>(cats.stream().map(c -> c.substring(5)).toList()))));
        });
        return s.toString();
    }
}
