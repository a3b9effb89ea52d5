package dev.fedexlora.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlUnitTests {

    @TempDir
    Path dir;

    @Test
    void readsWhatItWritesAndIgnoresExtraFieldsAndBlankLines() throws Exception {
        Path file = dir.resolve("d.jsonl");
        Files.writeString(file, "{\"text\": \"a \\\"cat\\\"\", \"label\": 1, \"category\": \"noun.animal\"}\n\n"
                + "{\"label\": 0, \"text\": \"é tool\"}\n");
        List<Example> read = Jsonl.read(file);
        assertThat(read).containsExactly(new Example("a \"cat\"", 1), new Example("é tool", 0));
        Path copy = dir.resolve("copy.jsonl");
        Jsonl.write(copy, read);
        assertThat(Jsonl.read(copy)).isEqualTo(read);
        assertThat(Jsonl.numLabels(read)).isEqualTo(2);
    }

    @Test
    void namesTheLineAndFieldOfBadInput() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"text\": \"ok\", \"label\": 0}\n{\"text\": \"x\", \"label\": \"animal\"}\n");
        assertThatThrownBy(() -> Jsonl.read(file)).isInstanceOfSatisfying(InvalidDatasetException.class, e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.field()).isEqualTo("label");
        });
        Files.writeString(file, "{\"text\": \"\", \"label\": 0}\n");
        assertThatThrownBy(() -> Jsonl.read(file)).isInstanceOfSatisfying(InvalidDatasetException.class,
                e -> assertThat(e.field()).isEqualTo("text"));
        Files.writeString(file, "not json\n");
        assertThatThrownBy(() -> Jsonl.read(file)).isInstanceOfSatisfying(InvalidDatasetException.class,
                e -> assertThat(e.field()).isNull());
    }

    @Test
    void theCommittedWordNetSampleHasAllTwentySixCategories() throws Exception {
        List<Example> sample = Jsonl.read(Path.of("../datasets/wordnet-nouns-sample.jsonl"));
        assertThat(sample).hasSizeBetween(2000, 3000);
        assertThat(Jsonl.numLabels(sample)).isEqualTo(26);
        assertThat(Files.readAllLines(Path.of("../datasets/wordnet-nouns-labels.txt"))).hasSize(26)
                .startsWith("noun.Tops", "noun.act", "noun.animal");
    }
}
