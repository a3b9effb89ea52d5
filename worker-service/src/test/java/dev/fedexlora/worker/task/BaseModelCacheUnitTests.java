package dev.fedexlora.worker.task;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A lease's base file names become paths in the cache only when they are checkpoint file names. */
class BaseModelCacheUnitTests {

    @Test
    void acceptsTheFilesOfASingleFileAndOfAShardedCheckpoint() {
        assertThatCode(() -> BaseModelCache.checkNames(Set.of("config.json", "tokenizer.json", "model.safetensors")))
                .doesNotThrowAnyException();
        assertThatCode(() -> BaseModelCache.checkNames(Set.of("config.json", "tokenizer.json",
                "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors"))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../config.json", "/etc/passwd", "model-00001-of-00002.safetensors/../../x",
            "model-1-of-2.safetensors", "pytorch_model.bin", "model-00001-of-00002.safetensors\u0000", ".complete",
            "..", ""})
    void refusesAnyOtherName(String name) {
        assertThatThrownBy(() -> BaseModelCache.checkNames(Set.of("config.json", name)))
                .isInstanceOf(IOException.class).hasMessageContaining("is not a checkpoint file");
    }

    @Test
    void refusesMoreFilesThanAnIndexMayName() {
        Set<String> names = IntStream.rangeClosed(1, BaseModelCache.MAX_FILES + 1)
                .mapToObj(i -> String.format("model-%05d-of-99999.safetensors", i))
                .collect(Collectors.toCollection(HashSet::new));
        assertThatThrownBy(() -> BaseModelCache.checkNames(names)).isInstanceOf(IOException.class)
                .hasMessageContaining("more than " + BaseModelCache.MAX_FILES);
    }
}
