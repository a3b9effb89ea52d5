package dev.fedexlora.core.aggregate;

import dev.fedexlora.core.linalg.Matrix;

/**
 * The change a round makes to one layer's base weight (d×k, out×in), with the LoRA scale already applied.
 * Stored factored as {@code U·V} while {@code width·(d+k) < d·k}, dense otherwise, so a model version is a
 * small delta on its parent.
 */
public sealed interface Residual {

    int rows();

    int cols();

    /** Inner width of the factorisation; {@code min(d, k)} bounds it for a dense residual. */
    int width();

    /** Bytes of fp32 storage this form takes. */
    long bytes();

    /** {@code w0 += this}, in place; {@code w0} is d×k, or k×d when {@code transposed} (GPT-2's Conv1D layout). */
    void applyTo(Matrix w0, boolean transposed);

    default void applyTo(Matrix w0) {
        applyTo(w0, false);
    }

    Matrix toDense();

    /** The residual of rows {@code from .. from+count-1} of the weight only (row blocks of a streamed fold). */
    Residual rowSlice(int from, int count);

    /** {@code delta = u · v} with u d×w and v w×k. */
    record Factored(Matrix u, Matrix v) implements Residual {
        public Factored {
            if (u.cols() != v.rows()) {
                throw new IllegalArgumentException("residual factors " + u.shape() + " and " + v.shape() + " do not chain");
            }
        }

        @Override
        public int rows() {
            return u.rows();
        }

        @Override
        public int cols() {
            return v.cols();
        }

        @Override
        public int width() {
            return u.cols();
        }

        @Override
        public long bytes() {
            return 4L * ((long) u.rows() * u.cols() + (long) v.rows() * v.cols());
        }

        @Override
        public void applyTo(Matrix w0, boolean transposed) {
            if (transposed) {
                w0.addProductInPlace(v.transpose(), u.transpose(), 1f);
            } else {
                w0.addProductInPlace(u, v, 1f);
            }
        }

        @Override
        public Matrix toDense() {
            return u.multiply(v);
        }

        @Override
        public Residual rowSlice(int from, int count) {
            return new Factored(u.rowSlice(from, count), v);
        }
    }

    /** The delta itself, d×k. */
    record Dense(Matrix delta) implements Residual {
        @Override
        public int rows() {
            return delta.rows();
        }

        @Override
        public int cols() {
            return delta.cols();
        }

        @Override
        public int width() {
            return Math.min(delta.rows(), delta.cols());
        }

        @Override
        public long bytes() {
            return 4L * delta.rows() * delta.cols();
        }

        @Override
        public void applyTo(Matrix w0, boolean transposed) {
            w0.addInPlace(transposed ? delta.transpose() : delta, 1f);
        }

        @Override
        public Matrix toDense() {
            return delta.copy();
        }

        @Override
        public Residual rowSlice(int from, int count) {
            return new Dense(delta.rowSlice(from, count));
        }
    }
}
