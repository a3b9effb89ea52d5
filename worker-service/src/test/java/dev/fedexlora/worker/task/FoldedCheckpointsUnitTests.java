package dev.fedexlora.worker.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fedexlora.train.checkpoint.BertConfig;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which folded checkpoint a task starts from. */
class FoldedCheckpointsUnitTests {

    private static HfCheckpoint checkpoint(String name) {
        return new HfCheckpoint(Path.of(name), BertConfig.tiny(10), Map.of(), Path.of("tokenizer.json"));
    }

    @Test
    void startsFromTheLongestCachedPrefixOfTheSameBase() {
        FoldedCheckpoints folded = new FoldedCheckpoints();
        HfCheckpoint base = checkpoint("base");
        HfCheckpoint v1 = checkpoint("v1");
        HfCheckpoint v2 = checkpoint("v2");
        folded.put("b", List.of("1:aa"), v1);
        folded.put("b", List.of("1:aa", "2:bb"), v2);

        assertThat(folded.start("b", base, List.of("1:aa", "2:bb", "3:cc"))).isEqualTo(new FoldedCheckpoints.Start(v2, 2));
        assertThat(folded.start("b", base, List.of("1:aa", "2:xx"))).isEqualTo(new FoldedCheckpoints.Start(v1, 1));
        // Another residual for version 1 (another job's line), another base, or no residuals: start from the base.
        assertThat(folded.start("b", base, List.of("1:zz", "2:bb"))).isEqualTo(new FoldedCheckpoints.Start(base, 0));
        assertThat(folded.start("other", base, List.of("1:aa"))).isEqualTo(new FoldedCheckpoints.Start(base, 0));
        assertThat(folded.start("b", base, List.of())).isEqualTo(new FoldedCheckpoints.Start(base, 0));
    }

    @Test
    void keepsTheMostRecentlyUsedChains() {
        FoldedCheckpoints folded = new FoldedCheckpoints();
        for (int i = 0; i < FoldedCheckpoints.CAPACITY + 3; i++) {
            folded.put("b", List.of(i + ":s"), checkpoint("v" + i));
        }
        folded.start("b", checkpoint("base"), List.of("3:s"));
        folded.put("b", List.of("99:s"), checkpoint("v99"));
        assertThat(folded.chains()).hasSize(FoldedCheckpoints.CAPACITY)
                .startsWith(List.of("99:s"), List.of("3:s")).doesNotContain(List.of("0:s"), List.of("4:s"));
    }
}
