package dev.fedexlora.cli.bench;

import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.model.BertClassifier;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.model.TextEncoder;
import dev.fedexlora.train.training.LocalTrainer;
import dev.fedexlora.train.training.ProgressListener;
import dev.fedexlora.train.training.TrainingConfig;
import dev.fedexlora.train.training.TrainingReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * LoRA training throughput of the real training step ({@link LocalTrainer}: forward with dropout, cross-entropy,
 * backward, global-norm clipping, AdamW) on a checkpoint, at a fixed sequence length: every example is longer
 * than {@code seq} tokens, so every batch is exactly {@code batch × seq} real tokens.
 */
final class TrainingBenchmark {

    /** Throughput of one measured run of {@code steps} optimizer steps. */
    record Run(int steps, double seconds, double examplesPerSecond, double tokensPerSecond) {
        double msPerStep() {
            return 1000 * seconds / steps;
        }
    }

    private static final String[] WORDS = ("federated learning trains one model across many clients whose data never "
            + "leaves them while a coordinator averages their low rank adapters exactly so that the global update "
            + "equals the mean of the local updates without any approximation error in the base weights").split(" ");

    private TrainingBenchmark() {
    }

    /** Texts of {@code words} random words each, labels 0..labels-1, from {@code seed}. */
    static List<Example> texts(int count, int words, int labels, long seed) {
        Random rnd = new Random(seed);
        List<Example> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            for (int w = 0; w < words; w++) {
                s.append(WORDS[rnd.nextInt(WORDS.length)]).append(' ');
            }
            out.add(new Example(s.toString().trim(), rnd.nextInt(labels)));
        }
        return out;
    }

    /** The model, tokenizer and data of the benchmark, loaded once and warmed up; each {@link #run} is measured. */
    static final class Session implements AutoCloseable {

        private final TextEncoder encoder;
        private final BertClassifier model;
        private final List<Example> data;
        private final int batch;
        private final int seq;

        Session(Path modelDir, int batch, int seq, int rank, int warmupSteps) throws IOException {
            HfCheckpoint checkpoint = HfCheckpoint.load(modelDir);
            int labels = 26;
            this.batch = batch;
            this.seq = seq;
            this.data = texts(batch * 8, seq * 2, labels, 7);
            LoraSettings lora = new LoraSettings(rank, 2.0 * rank, false, LoraSettings.DEFAULT_TARGETS, false);
            this.encoder = new TextEncoder(checkpoint.tokenizer(), seq, checkpoint.config().padTokenId());
            try {
                this.model = BertClassifier.create(BertClassifier.preferredDevice(), checkpoint, lora, labels, null, 1);
            } catch (RuntimeException e) {
                encoder.close();
                throw e;
            }
            for (Example e : data.subList(0, 4)) {
                if (encoder.ids(e.text()).length != seq) {
                    close();
                    throw new IllegalStateException("benchmark texts must fill " + seq + " tokens");
                }
            }
            if (warmupSteps > 0) {
                LocalTrainer.train(model, encoder, data, List.of(), config(batch, warmupSteps, seq), ProgressListener.NONE);
            }
        }

        /** One measured run of {@code steps} steps with a fresh optimizer, as each task has. */
        Run run(int steps) {
            TrainingReport report = LocalTrainer.train(model, encoder, data, List.of(), config(batch, steps, seq),
                    ProgressListener.NONE);
            return new Run(report.steps(), report.seconds(), report.examplesPerSecond(), report.tokensPerSecond());
        }

        @Override
        public void close() {
            try (encoder) {
                model.close();
            }
        }
    }

    private static TrainingConfig config(int batch, int steps, int seq) {
        return new TrainingConfig(5e-4, batch, steps, 0, 0.06, 0.0, 1.0, seq, 11);
    }

    /** The run with the median examples per second. */
    static Run median(List<Run> runs) {
        Run[] sorted = runs.toArray(Run[]::new);
        Arrays.sort(sorted, (a, b) -> Double.compare(a.examplesPerSecond(), b.examplesPerSecond()));
        return sorted[sorted.length / 2];
    }
}
