package dev.fedexlora.cli.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fedexlora.train.decoder.LmData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What {@code ./fedex demo --task causal-lm} trains and evaluates on, built from the committed WordNet sample. */
class LmDemoDataUnitTests {

    static final Path SAMPLE = Path.of("..", "datasets", "wordnet-nouns-sample.jsonl");

    @TempDir
    Path dir;

    @Test
    void clientsHoldDisjointCategoriesAndTheHeldOutSetHoldsPairsOfEveryCategoryNoClientHolds() throws Exception {
        LmDemoData.Split split = LmDemoData.write(SAMPLE, dir, 3, 42);

        // Every sample line lands in exactly one file, as a prompt/response pair the decoder reads.
        Map<String, String> categoryOf = new HashMap<>();
        JsonMapper json = JsonMapper.builder().build();
        List<String> sample = Files.readAllLines(SAMPLE);
        for (String line : sample) {
            JsonNode n = json.readTree(line);
            categoryOf.put(LmDemoData.prompt(n.path("text").asString()), n.path("category").asString());
        }
        List<LmData.Example> held = LmData.read(split.heldOut());
        int total = held.size();
        Map<String, Set<String>> responsesByClient = new HashMap<>();
        Set<String> trainPrompts = new HashSet<>();
        for (Map.Entry<String, Path> c : split.clients().entrySet()) {
            List<LmData.Example> examples = LmData.read(c.getValue());
            total += examples.size();
            Set<String> responses = new HashSet<>();
            for (LmData.Example e : examples) {
                assertThat(e.isPair()).isTrue();
                assertThat(e.response()).isEqualTo(LmDemoData.response(categoryOf.get(e.prompt())));
                responses.add(e.response());
                trainPrompts.add(e.prompt());
            }
            responsesByClient.put(c.getKey(), responses);
            // the categories the split reports are exactly the ones in the file
            assertThat(responses).containsExactlyInAnyOrderElementsOf(
                    split.categories().get(c.getKey()).stream().map(LmDemoData::response).toList());
        }
        assertThat(total).isEqualTo(sample.size());
        assertThat(split.clients()).containsOnlyKeys("client-0", "client-1", "client-2");

        // Non-IID: no category is shared between two clients, and together they hold all 26.
        List<Set<String>> sets = new ArrayList<>(responsesByClient.values());
        for (int i = 0; i < sets.size(); i++) {
            assertThat(sets.get(i)).hasSizeBetween(8, 9);
            for (int j = i + 1; j < sets.size(); j++) {
                assertThat(sets.get(i)).doesNotContainAnyElementsOf(sets.get(j));
            }
        }
        assertThat(sets.stream().mapToInt(Set::size).sum()).isEqualTo(26);

        // Held out: pairs with responses, about a tenth of every category, none of them in a client's file.
        assertThat(held).allSatisfy(e -> {
            assertThat(e.isPair()).isTrue();
            assertThat(e.response()).isNotBlank().startsWith(" ");
            assertThat(trainPrompts).doesNotContain(e.prompt());
        });
        assertThat(held.stream().map(LmData.Example::response).distinct().count()).isEqualTo(26);
        assertThat(held.size()).isBetween((int) (sample.size() * 0.09), (int) (sample.size() * 0.11));
    }

    @Test
    void theSameSeedWritesTheSameFilesAndAnotherSeedAnotherOrder() throws Exception {
        LmDemoData.Split a = LmDemoData.write(SAMPLE, dir.resolve("a"), 3, 7);
        LmDemoData.Split b = LmDemoData.write(SAMPLE, dir.resolve("b"), 3, 7);
        LmDemoData.Split c = LmDemoData.write(SAMPLE, dir.resolve("c"), 3, 8);
        assertThat(a.heldOut()).hasSameTextualContentAs(b.heldOut());
        assertThat(a.clients().get("client-1")).hasSameTextualContentAs(b.clients().get("client-1"));
        assertThat(Files.readString(a.heldOut())).isNotEqualTo(Files.readString(c.heldOut()));
    }

    @Test
    void linesWithoutTheSampleFieldsAreRefusedWithFileAndLine() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\": \"a dog\", \"label\": 2, \"category\": \"noun.animal\"}\n{\"text\": \"x\"}\n");
        assertThatThrownBy(() -> LmDemoData.write(bad, dir.resolve("out"), 3, 1))
                .hasMessageContaining("bad.jsonl:2").hasMessageContaining("category");
    }
}
