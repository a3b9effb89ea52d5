package dev.fedexlora.train.model;

import java.util.List;

/**
 * Where and how LoRA is injected.
 *
 * @param rank          r, the inner width of every adapter
 * @param alpha         lora_alpha; the scale is {@code alpha/r}, or {@code alpha/sqrt(r)} with rsLoRA
 * @param useRslora     rank-stabilised scale
 * @param targetModules linear modules to adapt, matched as PEFT does: the full module name or its last
 *                      dotted component (default {@code query}, {@code value})
 * @param freezeA       FFA-LoRA: A stays at its shared initialisation, only B and the head train
 */
public record LoraSettings(int rank, double alpha, boolean useRslora, List<String> targetModules, boolean freezeA) {

    public static final List<String> DEFAULT_TARGETS = List.of("query", "value");

    public LoraSettings {
        if (rank <= 0) {
            throw new IllegalArgumentException("rank must be positive, got " + rank);
        }
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("alpha must be positive, got " + alpha);
        }
        targetModules = List.copyOf(targetModules == null || targetModules.isEmpty() ? DEFAULT_TARGETS : targetModules);
    }

    public static LoraSettings of(int rank, double alpha) {
        return new LoraSettings(rank, alpha, false, DEFAULT_TARGETS, false);
    }

    public double scale() {
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /**
     * The initial A (r×k, row-major) of {@code module} as PEFT draws it, uniform ±1/√k, from the job's
     * {@code seed}: every client of a job, encoder or decoder, starts from the same adapters (which FFA relies on).
     */
    public float[] initialA(String module, int k, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed ^ (module.hashCode() * 0x9E3779B97F4A7C15L));
        float bound = (float) (1 / Math.sqrt(k));
        float[] a = new float[rank * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-bound, bound);
        }
        return a;
    }

    /** Whether {@code module} (a full dotted name) is adapted. */
    public boolean targets(String module) {
        String last = module.substring(module.lastIndexOf('.') + 1);
        return targetModules.stream().anyMatch(t -> t.equals(module) || t.equals(last) || module.endsWith("." + t));
    }
}
