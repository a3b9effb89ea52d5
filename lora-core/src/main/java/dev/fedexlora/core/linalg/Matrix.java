package dev.fedexlora.core.linalg;

import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.Tensor;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A dense fp32 matrix in row-major order: element (i, j) is {@code data[i * cols + j]}. Weight matrices follow
 * PyTorch's {@code nn.Linear} layout (out×in). Products run on the common fork-join pool, rows split across cores;
 * the inner loops stream contiguous rows so the JIT vectorises them.
 *
 * <p>Mutating methods end in {@code InPlace}; everything else returns a new matrix.
 */
public final class Matrix {

    /** Rows of the output handled by one parallel task: enough work to amortise the split. */
    private static final long PARALLEL_MIN_FLOPS = 1L << 18;

    private final int rows;
    private final int cols;
    private final float[] data;

    /** Wraps {@code data} (not copied). */
    public Matrix(int rows, int cols, float[] data) {
        if (rows < 0 || cols < 0 || (long) rows * cols != data.length) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix needs " + (long) rows * cols
                    + " values, got " + data.length);
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    public static Matrix zeros(int rows, int cols) {
        return new Matrix(rows, cols, new float[Math.multiplyExact(rows, cols)]);
    }

    /** A matrix from a 2-d tensor of any floating-point dtype. */
    public static Matrix of(Tensor t) {
        long[] s = t.shape();
        if (s.length != 2) {
            throw new IllegalArgumentException("expected a 2-d tensor, got " + t);
        }
        return new Matrix(Math.toIntExact(s[0]), Math.toIntExact(s[1]), t.toFloatArray());
    }

    public Tensor toTensor() {
        return Tensor.ofFloats(DType.F32, data, rows, cols);
    }

    public Tensor toTensor(DType dtype) {
        return Tensor.ofFloats(dtype, data, rows, cols);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The backing array (row-major); writes to it change this matrix. */
    public float[] data() {
        return data;
    }

    public float get(int i, int j) {
        return data[i * cols + j];
    }

    public String shape() {
        return rows + "x" + cols;
    }

    public Matrix copy() {
        return new Matrix(rows, cols, data.clone());
    }

    public Matrix transpose() {
        float[] out = new float[data.length];
        final int block = 64;
        for (int i0 = 0; i0 < rows; i0 += block) {
            for (int j0 = 0; j0 < cols; j0 += block) {
                int iMax = Math.min(i0 + block, rows);
                int jMax = Math.min(j0 + block, cols);
                for (int i = i0; i < iMax; i++) {
                    for (int j = j0; j < jMax; j++) {
                        out[j * rows + i] = data[i * cols + j];
                    }
                }
            }
        }
        return new Matrix(cols, rows, out);
    }

    /** {@code this · other}. */
    public Matrix multiply(Matrix other) {
        if (cols != other.rows) {
            throw new IllegalArgumentException("cannot multiply " + shape() + " by " + other.shape());
        }
        float[] out = new float[rows * other.cols];
        multiplyInto(out, other, 1f);
        return new Matrix(rows, other.cols, out);
    }

    /** {@code this += scale · (a · b)}, computed without forming {@code a · b} separately. */
    public Matrix addProductInPlace(Matrix a, Matrix b, float scale) {
        if (a.cols != b.rows || a.rows != rows || b.cols != cols) {
            throw new IllegalArgumentException("cannot add " + a.shape() + " · " + b.shape() + " to " + shape());
        }
        a.multiplyInto(data, b, scale);
        return this;
    }

    /** out += scale · this · other, rows of the output split across cores. */
    private void multiplyInto(float[] out, Matrix other, float scale) {
        final int n = other.cols;
        final int inner = cols;
        final float[] b = other.data;
        long flops = (long) rows * inner * n;
        IntStream range = IntStream.range(0, rows);
        if (flops >= PARALLEL_MIN_FLOPS && rows > 1) {
            range = range.parallel();
        }
        range.forEach(i -> {
            int aRow = i * inner;
            int oRow = i * n;
            for (int p = 0; p < inner; p++) {
                float av = scale * data[aRow + p];
                if (av == 0f) {
                    continue;
                }
                int bRow = p * n;
                for (int j = 0; j < n; j++) {
                    out[oRow + j] += av * b[bRow + j];
                }
            }
        });
    }

    /** {@code thisᵀ · this} (cols×cols), accumulated per core in fp32 and summed in fp64. */
    public double[] gram() {
        final int w = cols;
        int chunks = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors() * 2, rows / 64));
        int per = (rows + chunks - 1) / Math.max(chunks, 1);
        double[] total = new double[w * w];
        IntStream.range(0, chunks).parallel().mapToObj(c -> {
            float[] g = new float[w * w];
            int end = Math.min(rows, (c + 1) * per);
            for (int i = c * per; i < end; i++) {
                int row = i * w;
                for (int a = 0; a < w; a++) {
                    float x = data[row + a];
                    if (x == 0f) {
                        continue;
                    }
                    int gRow = a * w;
                    for (int bIdx = a; bIdx < w; bIdx++) {
                        g[gRow + bIdx] += x * data[row + bIdx];
                    }
                }
            }
            return g;
        }).forEachOrdered(g -> {
            for (int k = 0; k < g.length; k++) {
                total[k] += g[k];
            }
        });
        for (int a = 0; a < w; a++) {
            for (int bIdx = a + 1; bIdx < w; bIdx++) {
                total[bIdx * w + a] = total[a * w + bIdx];
            }
        }
        return total;
    }

    /**
     * {@code thisᵀ · other} for two matrices with the same number of rows (m×a and m×b give a×b), accumulated
     * in fp64: the small cross products of tall factors (d×r by d×w) that norms and traces are made of.
     */
    public double[] transposeTimes(Matrix other) {
        if (rows != other.rows) {
            throw new IllegalArgumentException("cannot form " + shape() + "ᵀ · " + other.shape());
        }
        final int a = cols;
        final int b = other.cols;
        double[] out = new double[a * b];
        for (int i = 0; i < rows; i++) {
            int row = i * a;
            int oRow = i * b;
            for (int p = 0; p < a; p++) {
                double x = data[row + p];
                if (x == 0) {
                    continue;
                }
                int outRow = p * b;
                for (int q = 0; q < b; q++) {
                    out[outRow + q] += x * other.data[oRow + q];
                }
            }
        }
        return out;
    }

    /** {@code this · x} for a k×p block of probe vectors {@code x} (row-major, fp64), giving rows×p in fp64. */
    public double[] times(double[] x, int p) {
        if (x.length != cols * p) {
            throw new IllegalArgumentException("probe block of " + x.length + " values does not fit " + shape() + " · k×" + p);
        }
        double[] out = new double[rows * p];
        if (p == 8) {
            // Eight accumulators stay in registers: the exactness check's hot loop.
            for (int i = 0; i < rows; i++) {
                int row = i * cols;
                double o0 = 0, o1 = 0, o2 = 0, o3 = 0, o4 = 0, o5 = 0, o6 = 0, o7 = 0;
                for (int q = 0; q < cols; q++) {
                    double v = data[row + q];
                    int b = q * 8;
                    o0 += v * x[b];
                    o1 += v * x[b + 1];
                    o2 += v * x[b + 2];
                    o3 += v * x[b + 3];
                    o4 += v * x[b + 4];
                    o5 += v * x[b + 5];
                    o6 += v * x[b + 6];
                    o7 += v * x[b + 7];
                }
                int o = i * 8;
                out[o] = o0;
                out[o + 1] = o1;
                out[o + 2] = o2;
                out[o + 3] = o3;
                out[o + 4] = o4;
                out[o + 5] = o5;
                out[o + 6] = o6;
                out[o + 7] = o7;
            }
            return out;
        }
        for (int i = 0; i < rows; i++) {
            int row = i * cols;
            int oRow = i * p;
            for (int q = 0; q < cols; q++) {
                double v = data[row + q];
                int xRow = q * p;
                for (int j = 0; j < p; j++) {
                    out[oRow + j] += v * x[xRow + j];
                }
            }
        }
        return out;
    }

    /** {@code this += scale · other}. */
    public Matrix addInPlace(Matrix other, float scale) {
        requireSameShape(other);
        for (int i = 0; i < data.length; i++) {
            data[i] += scale * other.data[i];
        }
        return this;
    }

    public Matrix scaleInPlace(float scale) {
        for (int i = 0; i < data.length; i++) {
            data[i] *= scale;
        }
        return this;
    }

    /** Frobenius norm, accumulated in fp64. */
    public double frobeniusNorm() {
        double s = 0;
        for (float v : data) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    public boolean isFinite() {
        for (float v : data) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** A copy of rows {@code from} to {@code from + count - 1}. */
    public Matrix rowSlice(int from, int count) {
        if (from < 0 || count < 0 || from + count > rows) {
            throw new IllegalArgumentException("rows " + from + ".." + (from + count) + " of " + shape());
        }
        return new Matrix(count, cols, Arrays.copyOfRange(data, from * cols, (from + count) * cols));
    }

    /** A copy with {@code rows} rows: zero rows appended, or trailing rows dropped. */
    public Matrix withRows(int newRows) {
        float[] out = Arrays.copyOf(data, Math.multiplyExact(newRows, cols));
        return new Matrix(newRows, cols, out);
    }

    /** A copy with {@code newCols} columns: zero columns appended, or trailing columns dropped. */
    public Matrix withCols(int newCols) {
        float[] out = new float[Math.multiplyExact(rows, newCols)];
        int keep = Math.min(cols, newCols);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(data, i * cols, out, i * newCols, keep);
        }
        return new Matrix(rows, newCols, out);
    }

    public void requireSameShape(Matrix other) {
        if (rows != other.rows || cols != other.cols) {
            throw new IllegalArgumentException("shape mismatch: " + shape() + " vs " + other.shape());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Matrix[" + shape() + "]";
    }
}
