package dev.fedexlora.core.aggregate;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.tensor.CheckedSafeTensorStream;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.InvalidTensorFileException;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code residual.safetensors} format (docs/architecture.md): per module either {@code <m>.residual_U} (d×w)
 * and {@code <m>.residual_V} (w×k), or a dense {@code <m>.residual} (d×k); {@code __metadata__.format} is
 * {@value #FORMAT}. The scale is already applied: the base weight of the next version is {@code W0 + U·V}.
 */
public final class Residuals {

    public static final String FORMAT = "fedex-residual/1";
    public static final String FILE = "residual.safetensors";
    private static final String U = ".residual_U";
    private static final String V = ".residual_V";
    private static final String DENSE = ".residual";

    private Residuals() {
    }

    public static TensorFile toTensorFile(Map<String, Residual> residuals) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        residuals.forEach((module, r) -> {
            switch (r) {
                case Residual.Factored f -> {
                    tensors.put(module + U, f.u().toTensor());
                    tensors.put(module + V, f.v().toTensor());
                }
                case Residual.Dense d -> tensors.put(module + DENSE, d.delta().toTensor());
            }
        });
        return new TensorFile(Map.of("format", FORMAT), tensors);
    }

    public static Map<String, Residual> fromTensorFile(TensorFile file, String source) throws InvalidTensorFileException {
        requireFormat(file.metadata(), source);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        file.tensors().forEach((k, t) -> shapes.put(k, t.shape()));
        Map<String, Residual> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : file.tensors().entrySet()) {
            String key = e.getKey();
            checkEntry(key, e.getValue().dtype(), e.getValue().shape(), shapes, source);
            if (key.endsWith(U)) {
                String module = key.substring(0, key.length() - U.length());
                out.put(module, new Residual.Factored(Matrix.of(e.getValue()), Matrix.of(file.tensors().get(module + V))));
            } else if (key.endsWith(DENSE)) {
                out.put(key.substring(0, key.length() - DENSE.length()), new Residual.Dense(Matrix.of(e.getValue())));
            }
        }
        return out;
    }

    public static void write(Path path, Map<String, Residual> residuals) throws IOException {
        SafeTensors.write(path, toTensorFile(residuals));
    }

    public static Map<String, Residual> read(Path path) throws IOException {
        return fromTensorFile(SafeTensors.read(path), path.toString());
    }

    /**
     * A residual file's header, parsed and checked once (format, size, every key's pairing and shape; call
     * {@link #check} first for the values): the shape each module's residual has, and each module's residual read
     * from its own tensors' bytes only, so that folding a large model's lineage holds one weight's residuals at a
     * time, not every residual of every version.
     */
    public record Index(Path path, SafeTensors.Layout layout, Map<String, SafeTensors.Entry> byName, String source) {

        /** The modules with the shape (out×in) each one's residual has. */
        public Map<String, long[]> shapes() {
            Map<String, long[]> out = new LinkedHashMap<>();
            for (SafeTensors.Entry e : layout.entries()) {
                if (e.name().endsWith(U)) {
                    String module = e.name().substring(0, e.name().length() - U.length());
                    out.put(module, new long[] {e.shape()[0], byName.get(module + V).shape()[1]});
                } else if (e.name().endsWith(DENSE)) {
                    out.put(e.name().substring(0, e.name().length() - DENSE.length()), e.shape().clone());
                }
            }
            return out;
        }

        /** One module's residual. */
        public Residual read(String module) throws IOException {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path)) {
                SafeTensors.Entry dense = byName.get(module + DENSE);
                if (dense != null) {
                    return new Residual.Dense(Matrix.of(tensor(ch, layout, dense, source)));
                }
                SafeTensors.Entry u = byName.get(module + U);
                if (u == null) {
                    throw new InvalidTensorFileException(source, "no residual for module '" + module + "'");
                }
                return new Residual.Factored(Matrix.of(tensor(ch, layout, u, source)),
                        Matrix.of(tensor(ch, layout, byName.get(module + V), source)));
            }
        }
    }

    /** Reads and checks a residual file's header; see {@link Index}. */
    public static Index index(Path path, String source) throws IOException {
        SafeTensors.Layout layout;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(path)) {
            layout = SafeTensors.readLayout(in, source);
        }
        requireFormat(layout.metadata(), source);
        if (layout.totalSize() != java.nio.file.Files.size(path)) {
            throw new InvalidTensorFileException(source, "the header's tensors need " + layout.totalSize()
                    + " bytes but the file has " + java.nio.file.Files.size(path));
        }
        return new Index(path, layout, checkEntries(layout, source), source);
    }

    private static Tensor tensor(java.nio.channels.FileChannel ch, SafeTensors.Layout layout, SafeTensors.Entry e,
                                 String source) throws IOException {
        if (e.byteSize() > Integer.MAX_VALUE - 16) {
            throw new InvalidTensorFileException(source, "tensor '" + e.name() + "' is larger than 2 GiB");
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) e.byteSize());
        long position = layout.dataStart() + e.begin();
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw new InvalidTensorFileException(source, "truncated inside tensor '" + e.name() + "'");
            }
        }
        return new Tensor(e.dtype(), e.shape(), buf.array());
    }

    /**
     * Checks a residual file as {@link #read} would accept it, without holding its tensors: the format, every key's
     * pairing and shapes from the header, and every value finite while the data streams through a fixed buffer. A
     * residual of a 7B-sized model (hundreds of MB) is checked in a few MiB of heap.
     *
     * @throws InvalidTensorFileException naming {@code source} at the first problem
     */
    public static void check(Path path, String source) throws IOException {
        try (java.io.InputStream raw = new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(path), 1 << 16);
             CheckedSafeTensorStream in = CheckedSafeTensorStream.open(raw, java.nio.file.Files.size(path), source)) {
            SafeTensors.Layout layout = in.layout();
            requireFormat(layout.metadata(), source);
            if (layout.entries().isEmpty()) {
                throw new InvalidTensorFileException(source, "holds no tensors");
            }
            checkEntries(layout, source);
            in.skipNBytes(8 + layout.header().length);
            byte[] chunk = new byte[1 << 20];
            for (SafeTensors.Entry e : layout.inDataOrder()) {
                int element = e.dtype().bytes();
                long left = e.byteSize();
                long index = 0;
                while (left > 0) {
                    int n = (int) Math.min(left, chunk.length - chunk.length % element);
                    in.readNBytes(chunk, 0, n);
                    float[] values = new Tensor(e.dtype(), new long[] {n / element},
                            java.util.Arrays.copyOf(chunk, n)).toFloatArray();
                    for (int i = 0; i < values.length; i++) {
                        if (!Float.isFinite(values[i])) {
                            throw new InvalidTensorFileException(source, "'" + e.name() + "' holds " + values[i]
                                    + " at element " + (index + i));
                        }
                    }
                    index += values.length;
                    left -= n;
                }
            }
        }
    }

    private static void requireFormat(Map<String, String> metadata, String source) throws InvalidTensorFileException {
        if (!FORMAT.equals(metadata.get("format"))) {
            throw new InvalidTensorFileException(source, "not a residual file: __metadata__.format is "
                    + metadata.get("format") + ", expected " + FORMAT);
        }
    }

    private static Map<String, SafeTensors.Entry> checkEntries(SafeTensors.Layout layout, String source)
            throws InvalidTensorFileException {
        Map<String, SafeTensors.Entry> byName = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        layout.entries().forEach(e -> {
            byName.put(e.name(), e);
            shapes.put(e.name(), e.shape());
        });
        for (SafeTensors.Entry e : layout.entries()) {
            checkEntry(e.name(), e.dtype(), e.shape(), shapes, source);
        }
        return byName;
    }

    /**
     * The rules of one key, the same for a file read whole and one read from its header: a 2-d float tensor, named
     * {@code <m>.residual} or one of a {@code <m>.residual_U}/{@code <m>.residual_V} pair whose inner widths agree.
     */
    private static void checkEntry(String key, DType dtype, long[] shape, Map<String, long[]> shapes, String source)
            throws InvalidTensorFileException {
        if (!dtype.isFloatingPoint() || shape.length != 2) {
            throw new InvalidTensorFileException(source, "'" + key + "' must be a 2-d float tensor, is " + dtype
                    + " " + java.util.Arrays.toString(shape));
        }
        if (key.endsWith(U)) {
            String module = key.substring(0, key.length() - U.length());
            long[] v = shapes.get(module + V);
            if (v == null) {
                throw new InvalidTensorFileException(source, "'" + key + "' has no matching " + module + V);
            }
            if (v.length != 2 || shape[1] != v[0]) {
                throw new InvalidTensorFileException(source, "module '" + module + "': U is "
                        + java.util.Arrays.toString(shape) + " but V is " + java.util.Arrays.toString(v));
            }
        } else if (key.endsWith(V)) {
            if (!shapes.containsKey(key.substring(0, key.length() - V.length()) + U)) {
                throw new InvalidTensorFileException(source, "'" + key + "' has no matching residual_U");
            }
        } else if (!key.endsWith(DENSE)) {
            throw new InvalidTensorFileException(source, "unexpected tensor '" + key + "' in a residual file");
        }
    }
}
