package dev.fedexlora.core.aggregate;

import dev.fedexlora.core.linalg.Matrix;
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
}
