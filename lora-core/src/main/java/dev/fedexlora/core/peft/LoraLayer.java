package dev.fedexlora.core.peft;

import dev.fedexlora.core.linalg.Matrix;

/**
 * The adapters of one LoRA-adapted linear layer: {@code A} is r×k (rank × in), {@code B} is d×r (out × rank).
 * The layer's update to its base weight (d×k, out×in) is {@code scale · B·A}.
 *
 * @param module the module path as PEFT names it, e.g. {@code bert.encoder.layer.0.attention.self.query}
 */
public record LoraLayer(String module, Matrix a, Matrix b) {

    public LoraLayer {
        if (a.rows() != b.cols()) {
            throw new IllegalArgumentException(module + ": lora_A is " + a.shape() + " and lora_B is " + b.shape()
                    + ", their ranks differ");
        }
    }

    public int rank() {
        return a.rows();
    }

    /** Rows of the update, the layer's output size. */
    public int outFeatures() {
        return b.rows();
    }

    /** Columns of the update, the layer's input size. */
    public int inFeatures() {
        return a.cols();
    }
}
