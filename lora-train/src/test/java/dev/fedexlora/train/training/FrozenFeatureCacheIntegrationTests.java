package dev.fedexlora.train.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.fedexlora.train.checkpoint.BertConfig;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.checkpoint.RandomCheckpoint;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Partitioner;
import dev.fedexlora.train.model.Batch;
import dev.fedexlora.train.model.BertClassifier;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.model.TextEncoder;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training the upper layers from the cached output of the frozen lower ones (a tiny two-layer BERT). */
class FrozenFeatureCacheIntegrationTests {

    static final LoraSettings TOP_LAYER = new LoraSettings(4, 8, false,
            List.of("layer.1.attention.self.query", "layer.1.attention.self.value"), false);

    @TempDir
    static Path dir;
    @TempDir
    static Path otherDir;
    static HfCheckpoint checkpoint;
    static List<Example> train;
    static List<Example> heldOut;

    @BeforeAll
    static void setUp() throws Exception {
        RandomCheckpoint.write(dir, BertConfig.tiny(30522), 11);
        checkpoint = HfCheckpoint.load(dir);
        List<List<Example>> split = Partitioner.trainTest(
                LocalTrainerIntegrationTests.twoTopics(240, new Random(3)), 0.25, 5);
        train = split.get(0);
        heldOut = split.get(1);
    }

    @Test
    void theCachedPathGivesTheLogitsOfTheWholeEncoder() throws Exception {
        FrozenFeatureCache cache = new FrozenFeatureCache(1 << 26);
        try (TextEncoder encoder = new TextEncoder(checkpoint.tokenizer(), 32, 0);
             BertClassifier model = BertClassifier.create(Device.cpu(), checkpoint, TOP_LAYER, 2, null, 42)) {
            assertThat(model.firstAdaptedLayer()).isEqualTo(1);
            assertThat(FrozenFeatureCache.applies(model)).isTrue();
            // Train first so that B is not zero and the adapters take part in the comparison.
            LocalTrainer.train(model, encoder, train, heldOut, LocalTrainerIntegrationTests.config(1),
                    ProgressListener.NONE, cache);
            List<Example> sample = heldOut.subList(0, 12);
            List<long[]> ids = sample.stream().map(e -> encoder.ids(e.text())).toList();
            int[] rows = new int[ids.size()];
            java.util.Arrays.setAll(rows, i -> i);
            List<float[]> features = cache.features(model, encoder, ids);
            try (NDScope scope = new NDScope()) {
                Batch batch = encoder.batch(ids, new int[ids.size()]);
                float[] whole = model.logits(batch, false).toFloatArray();
                NDArray[] hm = FrozenFeatureCache.batch(model.manager(), features, rows, model.config().hiddenSize());
                float[] cached = model.logitsFromFrozen(hm[0], hm[1], false).toFloatArray();
                assertThat(cached).hasSameSizeAs(whole);
                for (int i = 0; i < whole.length; i++) {
                    assertThat((double) cached[i]).isCloseTo(whole[i], org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
    }

    @Test
    void learnsFromCachedFeaturesDeterministicallyAndReusesThem() throws Exception {
        FrozenFeatureCache cache = new FrozenFeatureCache(1 << 26);
        TrainingReport first = train(cache);
        long misses = cache.misses();
        long hits = cache.hits();
        TrainingReport second = train(cache);
        assertThat(first.eval().accuracy()).isGreaterThanOrEqualTo(0.9);
        assertThat(second.finalLoss()).isEqualTo(first.finalLoss());
        assertThat(second.eval().accuracy()).isEqualTo(first.eval().accuracy());
        // The second run computes nothing: every training and held-out example comes from the cache.
        assertThat(cache.misses()).isEqualTo(misses);
        assertThat(cache.hits()).isEqualTo(hits + train.size() + heldOut.size());
    }

    @Test
    void theFingerprintCoversTheFrozenWeightsOnly() throws Exception {
        RandomCheckpoint.write(otherDir, BertConfig.tiny(30522), 12);
        HfCheckpoint other = HfCheckpoint.load(otherDir);
        LoraSettings allLayers = LoraSettings.of(4, 8);
        try (BertClassifier a = BertClassifier.create(Device.cpu(), checkpoint, TOP_LAYER, 2, null, 1);
             BertClassifier b = BertClassifier.create(Device.cpu(), checkpoint, TOP_LAYER, 3, null, 2);
             BertClassifier c = BertClassifier.create(Device.cpu(), other, TOP_LAYER, 2, null, 1);
             BertClassifier d = BertClassifier.create(Device.cpu(), checkpoint, allLayers, 2, null, 1)) {
            assertThat(b.frozenFingerprint()).isEqualTo(a.frozenFingerprint());
            assertThat(c.frozenFingerprint()).isNotEqualTo(a.frozenFingerprint());
            assertThat(d.firstAdaptedLayer()).isZero();
            assertThat(FrozenFeatureCache.applies(d)).isFalse();
        }
    }

    @Test
    void evictsTheLeastRecentlyUsedBeyondItsBudget() throws Exception {
        FrozenFeatureCache cache = new FrozenFeatureCache(4L * 32 * 20);
        try (TextEncoder encoder = new TextEncoder(checkpoint.tokenizer(), 32, 0);
             BertClassifier model = BertClassifier.create(Device.cpu(), checkpoint, TOP_LAYER, 2, null, 42)) {
            List<long[]> ids = train.subList(0, 30).stream().map(e -> encoder.ids(e.text())).toList();
            cache.features(model, encoder, ids);
            assertThat(cache.stats()).doesNotStartWith("30 entries").contains("0 MiB");
        }
    }

    private static TrainingReport train(FrozenFeatureCache cache) throws Exception {
        try (TextEncoder encoder = new TextEncoder(checkpoint.tokenizer(), 32, 0);
             BertClassifier model = BertClassifier.create(Device.cpu(), checkpoint, TOP_LAYER, 2, null, 42)) {
            return LocalTrainer.train(model, encoder, train, heldOut, LocalTrainerIntegrationTests.config(7),
                    ProgressListener.NONE, cache);
        }
    }
}
