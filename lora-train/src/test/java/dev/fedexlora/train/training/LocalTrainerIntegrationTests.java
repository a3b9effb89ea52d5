package dev.fedexlora.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.train.checkpoint.BertConfig;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.checkpoint.RandomCheckpoint;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Partitioner;
import dev.fedexlora.train.model.BertClassifier;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.model.TextEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local LoRA training of a tiny randomly initialised BERT on a task its head and adapters can learn. */
class LocalTrainerIntegrationTests {

    static final List<String> ANIMALS = List.of("cat", "dog", "horse", "cow", "sheep", "goat", "lion", "tiger");
    static final List<String> TOOLS = List.of("hammer", "wrench", "saw", "drill", "chisel", "pliers", "axe", "file");
    static final List<String> FILLER = List.of("the", "a", "big", "small", "old", "new", "red", "green", "my");

    @TempDir
    static Path dir;
    static HfCheckpoint checkpoint;
    static List<Example> train;
    static List<Example> heldOut;

    @BeforeAll
    static void setUp() throws Exception {
        RandomCheckpoint.write(dir, BertConfig.tiny(30522), 11);
        checkpoint = HfCheckpoint.load(dir);
        List<List<Example>> split = Partitioner.trainTest(twoTopics(240, new Random(3)), 0.25, 5);
        train = split.get(0);
        heldOut = split.get(1);
    }

    /** Sentences of filler words and one topic word: label 0 for animals, 1 for tools. */
    static List<Example> twoTopics(int n, Random rnd) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            List<String> topic = label == 0 ? ANIMALS : TOOLS;
            String text = FILLER.get(rnd.nextInt(FILLER.size())) + " " + FILLER.get(rnd.nextInt(FILLER.size())) + " "
                    + topic.get(rnd.nextInt(topic.size())) + " " + FILLER.get(rnd.nextInt(FILLER.size()));
            out.add(new Example(text, label));
        }
        return out;
    }

    static TrainingConfig config(long seed) {
        return new TrainingConfig(3e-2, 16, 80, 0, 0.1, 0.01, 1.0, 32, seed);
    }

    record Run(TrainingReport report, LoraAdapter before, LoraAdapter after) {
    }

    static Run run(LoraSettings lora, TrainingConfig config, LoraAdapter start) throws Exception {
        try (TextEncoder encoder = new TextEncoder(checkpoint.tokenizer(), config.maxLength(), 0);
             BertClassifier model = BertClassifier.create(Device.cpu(), checkpoint, lora, 2, start, 42)) {
            LoraAdapter before = model.toAdapter("tiny");
            TrainingReport report = LocalTrainer.train(model, encoder, train, heldOut, config, ProgressListener.NONE);
            return new Run(report, before, model.toAdapter("tiny"));
        }
    }

    static byte[] bytes(LoraAdapter adapter) throws Exception {
        return SafeTensors.toBytes(PeftAdapters.weights(adapter));
    }

    @Test
    void learnsTheTaskAndReportsHeldOutAccuracy() throws Exception {
        Run run = run(LoraSettings.of(4, 8), config(1), null);
        assertThat(run.report().steps()).isEqualTo(80);
        assertThat(run.report().examples()).isEqualTo(train.size());
        assertThat(run.report().eval().examples()).isEqualTo(heldOut.size());
        assertThat(run.report().eval().accuracy()).isGreaterThanOrEqualTo(0.9);
        assertThat(run.report().finalLoss()).isLessThan(0.5);
        assertThat(run.report().tokens()).isGreaterThan(run.report().examplesSeen() * 4);
        // LoRA sits on query and value of both layers, and the adapters moved away from B = 0.
        assertThat(run.after().layers().keySet()).containsExactly(
                "encoder.layer.0.attention.self.query", "encoder.layer.0.attention.self.value",
                "encoder.layer.1.attention.self.query", "encoder.layer.1.attention.self.value");
        assertThat(run.before().layer("encoder.layer.1.attention.self.value").b().frobeniusNorm()).isZero();
        assertThat(run.after().layer("encoder.layer.1.attention.self.value").b().frobeniusNorm()).isPositive();
        assertThat(run.after().extras()).containsKeys("classifier.weight", "classifier.bias");
    }

    @Test
    void sameSeedGivesTheSameAdapterAndAnotherSeedAnother() throws Exception {
        LoraAdapter first = run(LoraSettings.of(4, 8), config(7), null).after();
        LoraAdapter second = run(LoraSettings.of(4, 8), config(7), null).after();
        LoraAdapter other = run(LoraSettings.of(4, 8), config(8), null).after();
        assertThat(bytes(second)).isEqualTo(bytes(first));
        assertThat(bytes(other)).isNotEqualTo(bytes(first));
    }

    @Test
    void ffaTrainsOnlyBAndTheHead() throws Exception {
        LoraSettings ffa = new LoraSettings(4, 8, false, List.of("query", "value"), true);
        Run run = run(ffa, config(1), null);
        for (LoraLayer layer : run.after().layers().values()) {
            assertThat(layer.a()).isEqualTo(run.before().layer(layer.module()).a());
            assertThat(layer.b()).isNotEqualTo(run.before().layer(layer.module()).b());
        }
    }

    @Test
    void startsFromAGivenAdapterAndHeadAndTargetsTheNamedModules() throws Exception {
        LoraSettings all = new LoraSettings(2, 4, false, List.of("query", "key", "value", "dense"), false);
        LoraAdapter trained = run(all, config(1), null).after();
        assertThat(trained.layers()).hasSize(12);
        Run resumed = run(all, new TrainingConfig(1e-3, 16, 1, 0, 0, 0, 1, 32, 1), trained);
        assertThat(bytes(resumed.before())).isEqualTo(bytes(trained));
    }

    @Test
    void rejectsLabelsTheHeadDoesNotHave() {
        List<Example> bad = List.of(new Example("a cat", 2));
        assertThatThrownBy(() -> {
            try (TextEncoder encoder = new TextEncoder(checkpoint.tokenizer(), 16, 0);
                 BertClassifier model = BertClassifier.create(Device.cpu(), checkpoint, LoraSettings.of(2, 4), 2,
                         null, 1)) {
                LocalTrainer.train(model, encoder, bad, List.of(), config(1), ProgressListener.NONE);
            }
        }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 2");
    }

    /**
     * Garbage collection between and during runs must not change a result: every tensor the backward pass reads
     * has to stay alive until it has run (a scalar operand freed after the forward once gave NaN or different
     * adapters a few runs after a collection).
     */
    @Test
    void theSameSeedGivesTheSameAdapterWhateverTheGarbageCollectorDoes() throws Exception {
        TrainingConfig brief = new TrainingConfig(3e-2, 16, 12, 0, 0.1, 0.01, 1.0, 32, 5);
        byte[] reference = bytes(run(LoraSettings.of(4, 8), brief, null).after());
        // Collections as often as possible, so that some land between a step's forward and its backward.
        java.util.concurrent.atomic.AtomicBoolean collecting = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread collector = Thread.ofPlatform().daemon().start(() -> {
            while (collecting.get()) {
                System.gc();
            }
        });
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(bytes(run(LoraSettings.of(4, 8), brief, null).after())).as("run %d", i)
                        .isEqualTo(reference);
            }
        } finally {
            collecting.set(false);
            collector.join();
        }
    }
}
