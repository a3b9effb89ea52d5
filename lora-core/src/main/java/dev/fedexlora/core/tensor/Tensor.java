package dev.fedexlora.core.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An immutable n-dimensional array as stored in a tensor file: a dtype, a shape and little-endian bytes
 * in row-major order. Conversions to and from {@code float} handle F32, F16, BF16 and F64.
 */
public final class Tensor {

    private final DType dtype;
    private final long[] shape;
    private final byte[] data;

    /** @throws IllegalArgumentException when the byte count does not match dtype and shape */
    public Tensor(DType dtype, long[] shape, byte[] data) {
        this.dtype = dtype;
        this.shape = shape.clone();
        long expected = elementCount(this.shape) * dtype.bytes();
        if (expected != data.length) {
            throw new IllegalArgumentException("tensor of " + dtype + Arrays.toString(shape) + " needs "
                    + expected + " bytes, got " + data.length);
        }
        this.data = data;
    }

    /** An F32 tensor holding {@code values} (not copied) in the given shape. */
    public static Tensor ofFloats(float[] values, long... shape) {
        return ofFloats(DType.F32, values, shape);
    }

    /** A tensor of a floating-point {@code dtype} holding {@code values} rounded to that dtype. */
    public static Tensor ofFloats(DType dtype, float[] values, long... shape) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> buf.asFloatBuffer().put(values);
            case F64 -> {
                for (float v : values) {
                    buf.putDouble(v);
                }
            }
            case F16 -> {
                for (float v : values) {
                    buf.putShort(Float.floatToFloat16(v));
                }
            }
            case BF16 -> {
                for (float v : values) {
                    buf.putShort(floatToBf16(v));
                }
            }
            default -> throw new IllegalArgumentException("not a floating-point dtype: " + dtype);
        }
        return new Tensor(dtype, shape, buf.array());
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long elementCount() {
        return elementCount(shape);
    }

    /** The raw little-endian bytes; callers must not modify them. */
    public byte[] bytes() {
        return data;
    }

    public long byteSize() {
        return data.length;
    }

    /** All elements as {@code float}, converted from this tensor's dtype. */
    public float[] toFloatArray() {
        int n = Math.toIntExact(elementCount());
        float[] out = new float[n];
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> buf.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) buf.getDouble(i * 8);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(buf.getShort(i * 2));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((buf.getShort(i * 2) & 0xffff) << 16);
                }
            }
            case I64, U64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = buf.getLong(i * 8);
                }
            }
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = buf.getInt(i * 4);
                }
            }
            case U32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = buf.getInt(i * 4) & 0xffffffffL;
                }
            }
            case I16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = buf.getShort(i * 2);
                }
            }
            case U16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = buf.getShort(i * 2) & 0xffff;
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data[i];
                }
            }
            case U8, BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data[i] & 0xff;
                }
            }
        }
        return out;
    }

    /** Round-to-nearest-even conversion to bfloat16 bits; NaN stays NaN. */
    static short floatToBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
