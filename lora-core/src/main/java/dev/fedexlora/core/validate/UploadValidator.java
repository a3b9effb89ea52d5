package dev.fedexlora.core.validate;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accepts a client's PEFT adapter only when aggregation can rely on it: its {@code adapter_config.json} matches the
 * job field by field, its {@code adapter_model.safetensors} holds exactly one {@code lora_A} (r×k) and one
 * {@code lora_B} (d×r) per base layer the job targets (d×k taken from the base checkpoint, never from another
 * upload) plus exactly the job's head tensors, every tensor is of a floating-point type and finite, and (for FFA)
 * every {@code lora_A} is the job's frozen one. Both files are bounded in size before they are read
 * ({@link #maxWeightsBytes()}, {@link #maxConfigBytes()}).
 *
 * <p>Thread-safe and cheap to keep per job.
 */
public final class UploadValidator {

    /** Bytes an {@code adapter_config.json} may take; PEFT writes well under 2 KiB. */
    public static final long MAX_CONFIG_BYTES = 64 * 1024;

    private static final String PREFIX = "base_model.model.";
    /** Widest float dtype accepted (F64), for the size bound. */
    private static final int MAX_ELEMENT_BYTES = 8;

    private final UploadExpectations job;
    private final BaseLayers base;
    private final Map<String, List<Long>> targeted;
    private final long maxWeightsBytes;

    /** @throws IllegalArgumentException when the base model has no layer the job targets */
    public UploadValidator(UploadExpectations job, BaseLayers base) {
        this.job = job;
        this.base = base;
        this.targeted = base.targeted(job.targetModules());
        if (targeted.isEmpty()) {
            throw new IllegalArgumentException("the base model has no 2-d layer named " + job.targetModules());
        }
        long elements = 0;
        int tensors = 2 * targeted.size() + job.head().size();
        for (List<Long> dk : targeted.values()) {
            elements += (long) job.maxRank() * (dk.get(0) + dk.get(1));
        }
        for (List<Long> shape : job.head().values()) {
            elements += shape.stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
        }
        // The header: a generous 512 bytes per tensor entry (name, dtype, shape, offsets) and 4 KiB of metadata.
        this.maxWeightsBytes = 8 + 4096 + 512L * tensors + elements * MAX_ELEMENT_BYTES;
    }

    /** The largest {@code adapter_model.safetensors} this job can produce; refuse larger ones before reading. */
    public long maxWeightsBytes() {
        return maxWeightsBytes;
    }

    /** The largest {@code adapter_config.json} accepted. */
    public long maxConfigBytes() {
        return MAX_CONFIG_BYTES;
    }

    /** Refuses a file of {@code bytes} before it is read when it exceeds its bound. */
    public void checkSize(String file, long bytes, boolean config) throws RejectedUploadException {
        long max = config ? MAX_CONFIG_BYTES : maxWeightsBytes;
        if (bytes > max) {
            throw new RejectedUploadException(file, "size", bytes + " bytes exceeds the " + max
                    + " bytes this job's shapes allow");
        }
    }

    /** Checks the adapter in PEFT directory {@code dir}; sizes are checked before either file is read. */
    public LoraAdapter validate(Path dir) throws IOException {
        Path config = dir.resolve(PeftAdapters.CONFIG_FILE);
        Path weights = dir.resolve(PeftAdapters.WEIGHTS_FILE);
        checkSize(config.toString(), Files.size(config), true);
        checkSize(weights.toString(), Files.size(weights), false);
        return validate(Files.readString(config), SafeTensors.read(weights), dir.toString());
    }

    /**
     * Checks an adapter whose files are in memory ({@code source} names it in messages, e.g. a task id).
     *
     * @return the adapter, ready to aggregate
     * @throws RejectedUploadException naming the file and field at fault
     */
    public LoraAdapter validate(byte[] configJson, byte[] weights, String source) throws IOException {
        checkSize(source + "/" + PeftAdapters.CONFIG_FILE, configJson.length, true);
        checkSize(source + "/" + PeftAdapters.WEIGHTS_FILE, weights.length, false);
        return validate(new String(configJson, java.nio.charset.StandardCharsets.UTF_8),
                SafeTensors.read(weights, source + "/" + PeftAdapters.WEIGHTS_FILE), source);
    }

    private LoraAdapter validate(String configJson, TensorFile weights, String source) throws IOException {
        ConfigCheck.check(configJson, job, source + "/" + PeftAdapters.CONFIG_FILE);
        String file = source + "/" + PeftAdapters.WEIGHTS_FILE;
        Map<String, String> covered = new HashMap<>(); // base weight key -> adapter module
        Map<String, Tensor> as = new LinkedHashMap<>();
        List<String> heads = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : weights.tensors().entrySet()) {
            String key = e.getKey();
            Tensor t = e.getValue();
            if (!key.startsWith(PREFIX)) {
                throw new RejectedUploadException(file, key, "unexpected key: PEFT keys start with '" + PREFIX + "'");
            }
            String name = key.substring(PREFIX.length());
            if (!t.dtype().isFloatingPoint()) {
                throw new RejectedUploadException(file, key, "dtype " + t.dtype() + " is not a floating-point type");
            }
            List<Long> shape = java.util.Arrays.stream(t.shape()).boxed().toList();
            String module = loraModule(name);
            if (module == null) {
                List<Long> want = job.head().get(name);
                if (want == null) {
                    throw new RejectedUploadException(file, key, "unexpected key: neither a LoRA tensor of a targeted"
                            + " layer nor one of the job's head tensors " + job.head().keySet());
                }
                if (!want.equals(shape)) {
                    throw new RejectedUploadException(file, key, "shape " + shape + " but the job's head needs " + want);
                }
                heads.add(name);
            } else {
                String baseKey = base.weightKey(module);
                if (baseKey == null || !targeted.containsKey(baseKey)) {
                    throw new RejectedUploadException(file, key, "unexpected key: '" + ConfigCheck.abbreviate(module)
                            + "' is not a base-model layer the job targets " + job.targetModules());
                }
                String previous = covered.putIfAbsent(baseKey + (name.endsWith(".lora_A.weight") ? "#A" : "#B"), module);
                if (previous != null && !previous.equals(module)) {
                    throw new RejectedUploadException(file, key, "adapts base layer '" + baseKey + "' again (already as '"
                            + previous + "')");
                }
                List<Long> dk = targeted.get(baseKey);
                int r = job.rankOf(module);
                List<Long> want = name.endsWith(".lora_A.weight") ? List.of((long) r, dk.get(1)) : List.of(dk.get(0), (long) r);
                if (!want.equals(shape)) {
                    throw new RejectedUploadException(file, key, "shape " + shape + " but base layer '" + baseKey + "' is "
                            + dk.get(0) + "x" + dk.get(1) + " at rank " + r + ", so it must be " + want);
                }
                if (name.endsWith(".lora_A.weight")) {
                    as.put(module, t);
                }
            }
            requireFinite(t, file, key);
        }
        for (String baseKey : targeted.keySet()) {
            for (String part : List.of("#A", "#B")) {
                if (!covered.containsKey(baseKey + part)) {
                    throw new RejectedUploadException(file, "lora_" + part.substring(1), "missing for base layer '"
                            + baseKey + "', which the job targets");
                }
            }
        }
        for (String h : job.head().keySet()) {
            if (!heads.contains(h)) {
                throw new RejectedUploadException(file, PREFIX + h, "missing: the job's head tensor");
            }
        }
        checkFrozenA(as, file);
        return PeftAdapters.fromParts(configJson, weights, source);
    }

    private void checkFrozenA(Map<String, Tensor> as, String file) throws RejectedUploadException {
        if (job.method() != dev.fedexlora.core.aggregate.AggregationMethod.FFA || job.frozenA().isEmpty()) {
            return;
        }
        for (Map.Entry<String, Tensor> e : as.entrySet()) {
            Matrix frozen = job.frozenA().get(e.getKey());
            if (frozen == null || !java.util.Arrays.equals(frozen.data(), e.getValue().toFloatArray())) {
                throw new RejectedUploadException(file, PREFIX + e.getKey() + ".lora_A.weight",
                        "differs from the job's frozen lora_A (FFA trains only lora_B)");
            }
        }
    }

    /** The module of {@code <module>.lora_A.weight} or {@code <module>.lora_B.weight}; null for any other name. */
    private static String loraModule(String name) {
        for (String suffix : List.of(".lora_A.weight", ".lora_B.weight")) {
            if (name.endsWith(suffix) && name.length() > suffix.length()) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return null;
    }

    private static void requireFinite(Tensor t, String file, String key) throws RejectedUploadException {
        float[] v = t.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new RejectedUploadException(file, key, "value " + v[i] + " at element " + i + " is not finite");
            }
        }
    }
}
