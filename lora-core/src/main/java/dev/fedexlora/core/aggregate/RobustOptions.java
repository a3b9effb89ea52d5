package dev.fedexlora.core.aggregate;

import dev.fedexlora.core.peft.LoraAdapter;

/**
 * Robust aggregation options a federation operator may turn on; both are off by default, which leaves aggregation
 * exactly as without them. A client's update is the difference between its adapter and {@code reference} (the
 * global adapter the round started from) over every LoRA matrix and head tensor, and its norm is the Frobenius norm
 * of that whole difference.
 *
 * @param clipNorm      when positive, an update whose norm exceeds it is scaled down to it before aggregation
 *                      ({@code Aᵢ ← A_ref + c·(Aᵢ − A_ref)}, likewise B and the head, {@code c = clipNorm/‖Δᵢ‖})
 * @param outlierFactor when positive (at least 1), a client whose update norm exceeds this factor times the
 *                      median norm of the round is left out of the round; needs at least three clients
 * @param reference     the adapter every client started from; null: a zero adapter (the update is the adapter)
 */
public record RobustOptions(double clipNorm, double outlierFactor, LoraAdapter reference) {

    /** Neither clipping nor outlier rejection. */
    public static final RobustOptions OFF = new RobustOptions(0, 0, null);

    public RobustOptions {
        if (!Double.isFinite(clipNorm) || clipNorm < 0) {
            throw new IllegalArgumentException("clipNorm must be finite and non-negative (0 = off), got " + clipNorm);
        }
        if (!Double.isFinite(outlierFactor) || (outlierFactor != 0 && outlierFactor < 1)) {
            throw new IllegalArgumentException("outlierFactor must be 0 (off) or at least 1, got " + outlierFactor);
        }
    }

    /** Whether either option is on. */
    public boolean enabled() {
        return clipNorm > 0 || outlierFactor > 0;
    }
}
