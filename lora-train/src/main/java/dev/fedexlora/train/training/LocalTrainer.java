package dev.fedexlora.train.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.model.Batch;
import dev.fedexlora.train.model.BertClassifier;
import dev.fedexlora.train.model.TextEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Trains the LoRA adapters and head of a {@link BertClassifier} on local examples: AdamW, linear warmup then
 * linear decay, global-norm gradient clipping, cross-entropy loss, and a held-out evaluation at the end.
 *
 * <p>Deterministic: the batch order comes from {@code seed} and the engine's random generator (dropout) is
 * seeded with it, so the same inputs and seed give the same adapter on CPU. Gradient recording and that
 * generator are process-wide in DJL's PyTorch engine, so runs in one process are serialised.
 *
 * <p>Given a {@link FrozenFeatureCache} and a model whose adapters start above layer 0, the frozen lower layers run
 * once per example (without dropout) and every step trains the adapted layers, pooling and head from their cached
 * output, at a fraction of the cost; without dropout in the frozen layers the result differs from the uncached
 * run's, but is as deterministic.
 */
public final class LocalTrainer {

    private static final Object ENGINE = new Object();

    private LocalTrainer() {
    }

    public static TrainingReport train(BertClassifier model, TextEncoder encoder, List<Example> train,
                                       List<Example> heldOut, TrainingConfig config, ProgressListener listener) {
        return train(model, encoder, train, heldOut, config, listener, null);
    }

    /** As above; with {@code cache} (may be null) the frozen lower layers' outputs come from it. */
    public static TrainingReport train(BertClassifier model, TextEncoder encoder, List<Example> train,
                                       List<Example> heldOut, TrainingConfig config, ProgressListener listener,
                                       FrozenFeatureCache cache) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        checkLabels(train, model.numLabels());
        checkLabels(heldOut, model.numLabels());
        List<long[]> ids = tokenise(encoder, train);
        int total = config.totalSteps(train.size());
        synchronized (ENGINE) {
            gradModeOff();
            Inputs inputs = Inputs.of(model, encoder, ids, cache);
            Engine.getInstance().setRandomSeed((int) (config.seed() ^ (config.seed() >>> 32)));
            List<NDArray> params = model.trainable();
            AdamW optimizer = new AdamW(params, config.weightDecay());
            Random order = new Random(config.seed());
            int[] permutation = permutation(train.size(), order);
            int cursor = 0;
            double lossSum = 0;
            double lastLoss = Double.NaN;
            long seen = 0;
            long tokens = 0;
            long start = System.nanoTime();
            for (int step = 0; step < total; step++) {
                if (cursor >= permutation.length) {
                    permutation = permutation(train.size(), order);
                    cursor = 0;
                }
                int end = Math.min(cursor + config.batchSize(), permutation.length);
                int[] rows = Arrays.copyOfRange(permutation, cursor, end);
                cursor = end;
                Batch batch = batch(encoder, train, ids, rows);
                double lr = config.learningRate(step, total);
                lastLoss = step(model, optimizer, params, inputs, batch, rows, lr, config.maxGradNorm());
                if (!Double.isFinite(lastLoss)) {
                    throw new TrainingDivergedException("loss is " + lastLoss + " at step " + (step + 1));
                }
                lossSum += lastLoss;
                seen += rows.length;
                tokens += batch.tokens();
                listener.onStep(step + 1, total, lastLoss, lr);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Evaluation eval = evaluate(model, encoder, heldOut, Math.max(config.batchSize(), 64), cache);
            return new TrainingReport(total, train.size(), seen, tokens, lossSum / total, lastLoss, eval, seconds);
        }
    }

    private static double step(BertClassifier model, AdamW optimizer, List<NDArray> params, Inputs inputs,
                               Batch batch, int[] rows, double lr, double maxGradNorm) {
        try (NDScope scope = new NDScope()) {
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = inputs.logits(model, batch, rows, true);
                loss = crossEntropy(logits, batch, model);
                gc.backward(loss);
            }
            optimizer.clipStepAndZero(lr, maxGradNorm);
            return loss.getFloat();
        }
    }

    private static NDArray crossEntropy(NDArray logits, Batch batch, BertClassifier model) {
        NDArray oneHot = batch.labels(model.manager()).oneHot(model.numLabels());
        return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
    }

    /** Mean loss and accuracy on {@code examples}, without dropout and without recording gradients. */
    public static Evaluation evaluate(BertClassifier model, TextEncoder encoder, List<Example> examples,
                                      int batchSize) {
        return evaluate(model, encoder, examples, batchSize, null);
    }

    /** As above; with {@code cache} (may be null) the frozen lower layers' outputs come from it. */
    public static Evaluation evaluate(BertClassifier model, TextEncoder encoder, List<Example> examples,
                                      int batchSize, FrozenFeatureCache cache) {
        if (examples.isEmpty()) {
            return new Evaluation(Double.NaN, Double.NaN, 0);
        }
        List<long[]> ids = tokenise(encoder, examples);
        gradModeOff();
        Inputs inputs = Inputs.of(model, encoder, ids, cache);
        double lossSum = 0;
        long correct = 0;
        for (int from = 0; from < examples.size(); from += batchSize) {
            int to = Math.min(from + batchSize, examples.size());
            int[] rows = new int[to - from];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = from + i;
            }
            Batch batch = batch(encoder, examples, ids, rows);
            try (NDScope scope = new NDScope()) {
                NDArray logits = inputs.logits(model, batch, rows, false);
                lossSum += crossEntropy(logits, batch, model).getFloat() * rows.length;
                long[] predicted = logits.argMax(1).toLongArray();
                for (int i = 0; i < rows.length; i++) {
                    if (predicted[i] == batch.labels()[i]) {
                        correct++;
                    }
                }
            }
        }
        return new Evaluation(lossSum / examples.size(), (double) correct / examples.size(), examples.size());
    }

    /**
     * libtorch keeps autograd's grad mode per thread, and DJL switches it off only on the thread that loads the
     * engine; its gradient collector restores the mode it found when it closes. On any other thread the optimizer's
     * in-place updates would run with grad mode on ("a leaf Variable that requires grad is being used in an in-place
     * operation") and evaluation would record a graph; so every entry point switches it off for its own thread.
     */
    public static void gradModeOff() {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        }
    }

    /** Where a step's logits start from: token ids through the whole encoder, or cached frozen features. */
    private record Inputs(List<float[]> frozen) {

        static Inputs of(BertClassifier model, TextEncoder encoder, List<long[]> ids, FrozenFeatureCache cache) {
            if (cache == null || !FrozenFeatureCache.applies(model)) {
                return new Inputs(null);
            }
            return new Inputs(cache.features(model, encoder, ids));
        }

        NDArray logits(BertClassifier model, Batch batch, int[] rows, boolean training) {
            if (frozen == null) {
                return model.logits(batch, training);
            }
            NDArray[] hm = FrozenFeatureCache.batch(model.manager(), frozen, rows, model.config().hiddenSize());
            return model.logitsFromFrozen(hm[0], hm[1], training);
        }
    }

    private static Batch batch(TextEncoder encoder, List<Example> examples, List<long[]> ids, int[] rows) {
        List<long[]> seqs = new ArrayList<>(rows.length);
        int[] labels = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            seqs.add(ids.get(rows[i]));
            labels[i] = examples.get(rows[i]).label();
        }
        return encoder.batch(seqs, labels);
    }

    private static List<long[]> tokenise(TextEncoder encoder, List<Example> examples) {
        List<long[]> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            out.add(encoder.ids(e.text()));
        }
        return out;
    }

    /** A random permutation of 0..n-1 (Fisher-Yates): the batch order of an epoch. */
    public static int[] permutation(int n, Random rnd) {
        int[] p = new int[n];
        Arrays.setAll(p, i -> i);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static void checkLabels(List<Example> examples, int numLabels) {
        for (Example e : examples) {
            if (e.label() >= numLabels) {
                throw new IllegalArgumentException("label " + e.label() + " is outside the model's " + numLabels
                        + " labels");
            }
        }
    }
}
