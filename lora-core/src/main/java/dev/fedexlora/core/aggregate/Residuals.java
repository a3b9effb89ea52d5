package dev.fedexlora.core.aggregate;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.tensor.CheckedSafeTensorStream;
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
        if (!FORMAT.equals(file.metadata().get("format"))) {
            throw new InvalidTensorFileException(source, "not a residual file: __metadata__.format is "
                    + file.metadata().get("format") + ", expected " + FORMAT);
        }
        Map<String, Residual> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : file.tensors().entrySet()) {
            String key = e.getKey();
            if (key.endsWith(U)) {
                String module = key.substring(0, key.length() - U.length());
                Tensor v = file.tensors().get(module + V);
                if (v == null) {
                    throw new InvalidTensorFileException(source, "'" + key + "' has no matching " + module + V);
                }
                try {
                    out.put(module, new Residual.Factored(Matrix.of(e.getValue()), Matrix.of(v)));
                } catch (IllegalArgumentException ex) {
                    throw new InvalidTensorFileException(source, "module '" + module + "': " + ex.getMessage());
                }
            } else if (key.endsWith(DENSE)) {
                out.put(key.substring(0, key.length() - DENSE.length()), new Residual.Dense(Matrix.of(e.getValue())));
            } else if (!key.endsWith(V)) {
                throw new InvalidTensorFileException(source, "unexpected tensor '" + key + "' in a residual file");
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
     * The modules of a residual file with the shape (out×in) each one's residual has, from the header alone (call
     * {@link #check} first for the rest of the format).
     */
    public static Map<String, long[]> shapes(Path path, String source) throws IOException {
        SafeTensors.Layout layout = layout(path, source);
        Map<String, SafeTensors.Entry> byName = new LinkedHashMap<>();
        layout.entries().forEach(e -> byName.put(e.name(), e));
        Map<String, long[]> out = new LinkedHashMap<>();
        for (SafeTensors.Entry e : layout.entries()) {
            checkEntry(e, byName, source);
            if (e.name().endsWith(U)) {
                String module = e.name().substring(0, e.name().length() - U.length());
                out.put(module, new long[] {e.shape()[0], byName.get(module + V).shape()[1]});
            } else if (e.name().endsWith(DENSE)) {
                out.put(e.name().substring(0, e.name().length() - DENSE.length()), e.shape().clone());
            }
        }
        return out;
    }

    /**
     * One module's residual, reading only its own tensors' bytes: folding a large model's lineage then holds one
     * weight's residuals at a time, not every residual of every version.
     */
    public static Residual read(Path path, String module, String source) throws IOException {
        SafeTensors.Layout layout = layout(path, source);
        Map<String, SafeTensors.Entry> byName = new LinkedHashMap<>();
        layout.entries().forEach(e -> byName.put(e.name(), e));
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path)) {
            SafeTensors.Entry dense = byName.get(module + DENSE);
            if (dense != null) {
                return new Residual.Dense(Matrix.of(tensor(ch, layout, dense, source)));
            }
            SafeTensors.Entry u = byName.get(module + U);
            SafeTensors.Entry v = byName.get(module + V);
            if (u == null || v == null) {
                throw new InvalidTensorFileException(source, "no residual for module '" + module + "'");
            }
            try {
                return new Residual.Factored(Matrix.of(tensor(ch, layout, u, source)),
                        Matrix.of(tensor(ch, layout, v, source)));
            } catch (IllegalArgumentException e) {
                throw new InvalidTensorFileException(source, "module '" + module + "': " + e.getMessage());
            }
        }
    }

    private static SafeTensors.Layout layout(Path path, String source) throws IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(path)) {
            SafeTensors.Layout layout = SafeTensors.readLayout(in, source);
            if (!FORMAT.equals(layout.metadata().get("format"))) {
                throw new InvalidTensorFileException(source, "not a residual file: __metadata__.format is "
                        + layout.metadata().get("format") + ", expected " + FORMAT);
            }
            if (layout.totalSize() != java.nio.file.Files.size(path)) {
                throw new InvalidTensorFileException(source, "the header's tensors need " + layout.totalSize()
                        + " bytes but the file has " + java.nio.file.Files.size(path));
            }
            return layout;
        }
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
            if (!FORMAT.equals(layout.metadata().get("format"))) {
                throw new InvalidTensorFileException(source, "not a residual file: __metadata__.format is "
                        + layout.metadata().get("format") + ", expected " + FORMAT);
            }
            if (layout.entries().isEmpty()) {
                throw new InvalidTensorFileException(source, "holds no tensors");
            }
            Map<String, SafeTensors.Entry> byName = new LinkedHashMap<>();
            layout.entries().forEach(e -> byName.put(e.name(), e));
            for (SafeTensors.Entry e : layout.entries()) {
                checkEntry(e, byName, source);
            }
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

    private static void checkEntry(SafeTensors.Entry e, Map<String, SafeTensors.Entry> byName, String source)
            throws InvalidTensorFileException {
        String key = e.name();
        if (!e.dtype().isFloatingPoint() || e.shape().length != 2) {
            throw new InvalidTensorFileException(source, "'" + key + "' must be a 2-d float tensor, is " + e.dtype()
                    + " " + java.util.Arrays.toString(e.shape()));
        }
        if (key.endsWith(U)) {
            String module = key.substring(0, key.length() - U.length());
            SafeTensors.Entry v = byName.get(module + V);
            if (v == null) {
                throw new InvalidTensorFileException(source, "'" + key + "' has no matching " + module + V);
            }
            if (e.shape()[1] != v.shape()[0]) {
                throw new InvalidTensorFileException(source, "module '" + module + "': U is "
                        + java.util.Arrays.toString(e.shape()) + " but V is " + java.util.Arrays.toString(v.shape()));
            }
        } else if (key.endsWith(V)) {
            if (!byName.containsKey(key.substring(0, key.length() - V.length()) + U)) {
                throw new InvalidTensorFileException(source, "'" + key + "' has no matching residual_U");
            }
        } else if (!key.endsWith(DENSE)) {
            throw new InvalidTensorFileException(source, "unexpected tensor '" + key + "' in a residual file");
        }
    }
}
