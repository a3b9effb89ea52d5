package dev.fedexlora.train.decoder;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.fedexlora.train.training.AdamW;
import dev.fedexlora.train.training.Evaluation;
import dev.fedexlora.train.training.LocalTrainer;
import dev.fedexlora.train.training.ProgressListener;
import dev.fedexlora.train.training.TrainingConfig;
import dev.fedexlora.train.training.TrainingDivergedException;
import dev.fedexlora.train.training.TrainingReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Local causal-LM training, evaluation and greedy generation. The loss is transformers' {@code ForCausalLMLoss}:
 * logits at position t predict the label at t+1, labels of -100 are ignored, the mean runs over counted tokens.
 * Training uses the platform's one AdamW, learning-rate schedule, clipping and seeding ({@link TrainingConfig});
 * {@code accumulation} micro-batches of {@code batchSize} sequences make one optimizer step, each contributing
 * its mean loss divided by {@code accumulation}.
 */
public final class LmTrainer {

    private static final Object ENGINE = new Object();

    private LmTrainer() {
    }

    /** Sequences right-padded to the longest (size×length), with the key mask and the unshifted labels. */
    public record Batch(int size, int length, long[] ids, long[] mask, long[] labels) {

        public static Batch of(List<LmData.Sequence> seqs, long padId) {
            int length = seqs.stream().mapToInt(s -> s.ids().length).max().orElse(1);
            int n = seqs.size();
            long[] ids = new long[n * length];
            long[] mask = new long[n * length];
            long[] labels = new long[n * length];
            Arrays.fill(ids, Math.max(0, padId));
            Arrays.fill(labels, LmData.IGNORE);
            for (int i = 0; i < n; i++) {
                LmData.Sequence s = seqs.get(i);
                System.arraycopy(s.ids(), 0, ids, i * length, s.ids().length);
                System.arraycopy(s.labels(), 0, labels, i * length, s.labels().length);
                Arrays.fill(mask, i * length, i * length + s.ids().length, 1L);
            }
            return new Batch(n, length, ids, mask, labels);
        }

        boolean padded() {
            for (long m : mask) {
                if (m == 0) {
                    return true;
                }
            }
            return false;
        }

        /** Targets shifted left by one (the label of the next position), -100 at the end of each row. */
        long[] targets() {
            long[] out = new long[labels.length];
            for (int i = 0; i < size; i++) {
                for (int t = 0; t < length; t++) {
                    out[i * length + t] = t + 1 < length ? labels[i * length + t + 1] : LmData.IGNORE;
                }
            }
            return out;
        }

        long counted() {
            return Arrays.stream(targets()).filter(l -> l != LmData.IGNORE).count();
        }

        long tokens() {
            return Arrays.stream(mask).sum();
        }
    }

    /**
     * The mean loss of one batch and, when {@code countCorrect}, the number of counted tokens the argmax predicts
     * and that number per row; the loss records gradients when a collector is open. The vocabulary head runs only on
     * the positions whose next token is counted (for prompt/response pairs, the response), which gives the same loss
     * as the head over every position at a fraction of its cost.
     */
    private static NDArray[] lossAndCorrect(CausalLm model, Batch b, boolean countCorrect) {
        NDManager m = model.manager();
        NDArray ids = m.create(b.ids(), new Shape(b.size(), b.length()));
        NDArray mask = b.padded() ? m.create(b.mask(), new Shape(b.size(), b.length())) : null;
        long[] targets = b.targets();
        int counted = 0;
        for (long t : targets) {
            counted += t == LmData.IGNORE ? 0 : 1;
        }
        if (counted == 0) {
            // Nothing counts: a zero loss that still belongs to the graph.
            NDArray loss = model.logits(ids, mask, null).sum().mul(m.create(0f));
            return countCorrect ? new NDArray[] {loss, m.create(0f), m.zeros(new Shape(b.size()))}
                    : new NDArray[] {loss};
        }
        long[] positions = new long[counted];
        long[] wanted = new long[counted];
        int[] rowOf = new int[counted];
        for (int i = 0, k = 0; i < targets.length; i++) {
            if (targets[i] != LmData.IGNORE) {
                positions[k] = i;
                wanted[k] = targets[i];
                rowOf[k++] = i / b.length();
            }
        }
        NDArray hidden = model.hidden(ids, mask, null);
        NDArray selected = hidden.reshape(-1, hidden.getShape().get(2)).get(new NDIndex("{}", m.create(positions)));
        NDArray logits = model.head(selected);
        NDArray idx = m.create(wanted, new Shape(counted, 1));
        NDArray loss = logits.logSoftmax(-1).gather(idx, 1).sum().neg().div(m.create((float) counted));
        if (!countCorrect) {
            return new NDArray[] {loss};
        }
        float[] hit = logits.argMax(-1).eq(idx.reshape(counted)).toType(DataType.FLOAT32, false).toFloatArray();
        float[] perRow = new float[b.size()];
        float total = 0;
        for (int k = 0; k < counted; k++) {
            perRow[rowOf[k]] += hit[k];
            total += hit[k];
        }
        return new NDArray[] {loss, m.create(total), m.create(perRow)};
    }

    /**
     * The loss of one batch and the gradient of every trainable parameter (in {@link CausalLm#trainable()} order),
     * without an update: what the gradient parity test compares with PyTorch.
     */
    public static Gradients gradients(CausalLm model, Batch batch) {
        synchronized (ENGINE) {
            LocalTrainer.gradModeOff();
            try (NDScope scope = new NDScope()) {
                NDArray loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    loss = lossAndCorrect(model, batch, false)[0];
                    gc.backward(loss);
                }
                List<float[]> grads = new ArrayList<>();
                for (NDArray p : model.trainable()) {
                    NDArray g = p.getGradient();
                    grads.add(g.toFloatArray());
                    g.subi(g);
                }
                return new Gradients(loss.getFloat(), model.trainableNames(), grads);
            }
        }
    }

    /** A batch's loss and its gradients by parameter name. */
    public record Gradients(double loss, List<String> names, List<float[]> values) {
    }

    public static TrainingReport train(CausalLm model, List<LmData.Sequence> train, List<LmData.Sequence> heldOut,
                                       TrainingConfig config, int accumulation, long padId,
                                       ProgressListener listener) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        if (accumulation < 1) {
            throw new IllegalArgumentException("gradient accumulation must be at least 1, got " + accumulation);
        }
        int total = config.totalSteps(Math.max(1, train.size() / accumulation));
        synchronized (ENGINE) {
            LocalTrainer.gradModeOff();
            Engine.getInstance().setRandomSeed((int) (config.seed() ^ (config.seed() >>> 32)));
            AdamW optimizer = new AdamW(model.trainable(), config.weightDecay());
            NDArray share = model.manager().create(1f / accumulation);
            Random order = new Random(config.seed());
            int[] permutation = LocalTrainer.permutation(train.size(), order);
            int cursor = 0;
            double lossSum = 0;
            double lastLoss = Double.NaN;
            long seen = 0;
            long tokens = 0;
            long start = System.nanoTime();
            for (int step = 0; step < total; step++) {
                double lr = config.learningRate(step, total);
                double stepLoss = 0;
                try (NDScope scope = new NDScope()) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        for (int micro = 0; micro < accumulation; micro++) {
                            if (cursor >= permutation.length) {
                                permutation = LocalTrainer.permutation(train.size(), order);
                                cursor = 0;
                            }
                            int end = Math.min(cursor + config.batchSize(), permutation.length);
                            List<LmData.Sequence> rows = new ArrayList<>();
                            for (int i = cursor; i < end; i++) {
                                rows.add(train.get(permutation[i]));
                            }
                            cursor = end;
                            Batch batch = Batch.of(rows, padId);
                            NDArray loss = lossAndCorrect(model, batch, false)[0];
                            gc.backward(loss.mul(share));
                            stepLoss += loss.getFloat() / accumulation;
                            seen += rows.size();
                            tokens += batch.tokens();
                        }
                    }
                    optimizer.clipStepAndZero(lr, config.maxGradNorm());
                }
                lastLoss = stepLoss;
                if (!Double.isFinite(lastLoss)) {
                    throw new TrainingDivergedException("loss is " + lastLoss + " at step " + (step + 1));
                }
                lossSum += lastLoss;
                listener.onStep(step + 1, total, lastLoss, lr);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            LmEvaluation eval = evaluate(model, heldOut, config.batchSize(), padId);
            return new TrainingReport(total, train.size(), seen, tokens, lossSum / total, lastLoss,
                    new Evaluation(eval.loss(), eval.tokenAccuracy(), eval.examples()), seconds);
        }
    }

    /**
     * Held-out loss and next-token accuracy over counted tokens, and perplexity {@code exp(loss)}.
     *
     * @param loss          mean loss per counted token
     * @param perplexity    {@code exp(loss)}
     * @param tokenAccuracy fraction of counted tokens the model's argmax predicts
     * @param tokens        counted tokens
     * @param examples      sequences evaluated
     * @param exactMatch    fraction of sequences with counted tokens whose every counted token the argmax predicts
     *                      (teacher-forced). For prompt/response pairs whose labels end with the end-of-sequence
     *                      token and are not truncated, this is exactly the fraction whose greedy continuation is
     *                      the response ({@link #exactMatch}), in one batched pass instead of one decode per pair.
     */
    public record LmEvaluation(double loss, double perplexity, double tokenAccuracy, long tokens, int examples,
                               double exactMatch) {
    }

    public static LmEvaluation evaluate(CausalLm model, List<LmData.Sequence> sequences, int batchSize, long padId) {
        if (sequences.isEmpty()) {
            return new LmEvaluation(Double.NaN, Double.NaN, Double.NaN, 0, 0, Double.NaN);
        }
        synchronized (ENGINE) {
            LocalTrainer.gradModeOff();
            double lossSum = 0;
            double correct = 0;
            long counted = 0;
            int exact = 0;
            int scored = 0;
            for (int from = 0; from < sequences.size(); from += batchSize) {
                Batch b = Batch.of(sequences.subList(from, Math.min(from + batchSize, sequences.size())), padId);
                try (NDScope scope = new NDScope()) {
                    NDArray[] lc = lossAndCorrect(model, b, true);
                    long c = b.counted();
                    lossSum += lc[0].getFloat() * c;
                    correct += lc[1].getFloat();
                    counted += c;
                    float[] rows = lc[2].toFloatArray();
                    long[] targets = b.targets();
                    for (int i = 0; i < b.size(); i++) {
                        int want = 0;
                        for (int t = 0; t < b.length(); t++) {
                            want += targets[i * b.length() + t] == LmData.IGNORE ? 0 : 1;
                        }
                        if (want > 0) {
                            scored++;
                            exact += Math.round(rows[i]) == want ? 1 : 0;
                        }
                    }
                }
            }
            double loss = lossSum / Math.max(1, counted);
            return new LmEvaluation(loss, Math.exp(loss), correct / Math.max(1, counted), counted, sequences.size(),
                    scored == 0 ? Double.NaN : (double) exact / scored);
        }
    }

    /**
     * Greedy decoding with a key/value cache: the prompt in one pass, then one position per new token, until
     * {@code maxNewTokens} or one of {@code stop} (not included in the result).
     */
    public static long[] generate(CausalLm model, long[] prompt, int maxNewTokens, List<Integer> stop) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        synchronized (ENGINE) {
            LocalTrainer.gradModeOff();
            long[] out = new long[maxNewTokens];
            int n = 0;
            try (KvCache cache = model.newCache()) {
                long[] next = prompt;
                while (n < maxNewTokens) {
                    long token;
                    try (NDScope scope = new NDScope()) {
                        NDArray ids = model.manager().create(next, new Shape(1, next.length));
                        NDArray h = model.hidden(ids, null, cache);
                        NDArray last = h.get(":, -1, :");
                        token = model.head(last).argMax(-1).toLongArray()[0];
                    }
                    if (stop.contains((int) token)) {
                        break;
                    }
                    out[n++] = token;
                    next = new long[] {token};
                }
            }
            return Arrays.copyOf(out, n);
        }
    }

    /** Fraction of prompt/response pairs whose greedy continuation is exactly the response's tokens. */
    public static double exactMatch(CausalLm model, LmData.Tokens tokens, List<LmData.Example> pairs,
                                    List<Integer> stop) {
        int hits = 0;
        int total = 0;
        for (LmData.Example e : pairs) {
            if (!e.isPair()) {
                continue;
            }
            long[] want = tokens.continuation(e.response());
            long[] got = generate(model, tokens.prompt(e.prompt()), want.length + 1, stop);
            total++;
            if (Arrays.equals(want, got)) {
                hits++;
            }
        }
        return total == 0 ? Double.NaN : (double) hits / total;
    }
}
