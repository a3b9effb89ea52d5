package dev.fedexlora.train.training;

/**
 * Hyper-parameters of one local training run.
 *
 * @param learningRate peak learning rate of AdamW
 * @param batchSize    examples per step
 * @param localSteps   optimizer steps; when 0, {@code epochs} passes over the data decide
 * @param epochs       passes over the data when {@code localSteps} is 0
 * @param warmupRatio  fraction of the steps with linearly rising learning rate; then it decays linearly to 0
 * @param weightDecay  decoupled weight decay of AdamW
 * @param maxGradNorm  gradients are clipped to this global L2 norm (0 or less: no clipping)
 * @param maxLength    tokens per sequence, special tokens included
 * @param seed         seeds shuffling and dropout: the same seed gives the same result on CPU
 */
public record TrainingConfig(double learningRate, int batchSize, int localSteps, int epochs, double warmupRatio,
                             double weightDecay, double maxGradNorm, int maxLength, long seed) {

    public TrainingConfig {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be positive, got " + learningRate);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        if (localSteps < 0 || (localSteps == 0 && epochs <= 0)) {
            throw new IllegalArgumentException("give localSteps > 0 or epochs > 0");
        }
        if (warmupRatio < 0 || warmupRatio >= 1) {
            throw new IllegalArgumentException("warmupRatio must be in [0, 1), got " + warmupRatio);
        }
        if (weightDecay < 0) {
            throw new IllegalArgumentException("weightDecay must not be negative");
        }
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2");
        }
    }

    public static TrainingConfig steps(double learningRate, int batchSize, int localSteps, long seed) {
        return new TrainingConfig(learningRate, batchSize, localSteps, 0, 0.06, 0.0, 1.0, 128, seed);
    }

    public TrainingConfig withMaxLength(int length) {
        return new TrainingConfig(learningRate, batchSize, localSteps, epochs, warmupRatio, weightDecay, maxGradNorm,
                length, seed);
    }

    public TrainingConfig withEpochs(int n) {
        return new TrainingConfig(learningRate, batchSize, 0, n, warmupRatio, weightDecay, maxGradNorm, maxLength,
                seed);
    }

    /** Optimizer steps for {@code examples} training examples. */
    public int totalSteps(int examples) {
        if (localSteps > 0) {
            return localSteps;
        }
        return epochs * Math.max(1, (examples + batchSize - 1) / batchSize);
    }

    /**
     * The learning rate of step {@code step} (0-based) out of {@code total}, as Hugging Face's linear schedule
     * with warmup: {@code step/warmup} while warming up, then {@code (total-step)/(total-warmup)}.
     */
    public double learningRate(int step, int total) {
        int warmup = (int) Math.ceil(warmupRatio * total);
        double factor = step < warmup ? (double) step / Math.max(1, warmup)
                : Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
        return learningRate * factor;
    }
}
