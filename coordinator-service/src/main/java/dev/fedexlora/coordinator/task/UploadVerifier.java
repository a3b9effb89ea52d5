package dev.fedexlora.coordinator.task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.fedexlora.coordinator.job.JobRequest;
import dev.fedexlora.core.protocol.Method;
import dev.fedexlora.core.checksum.Sha256;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;

/**
 * Checks one client's upload before its task may count: both files present, their SHA-256 equal to what the worker
 * claimed, a readable PEFT adapter with the job's rank, alpha and target modules, every value finite, and the same
 * layers and shapes as a reference upload of the round (and, for FFA, the same frozen A). Pure: the caller fetches
 * the bytes.
 */
public final class UploadVerifier {

    public static final String WEIGHTS = PeftAdapters.WEIGHTS_FILE;
    public static final String CONFIG = PeftAdapters.CONFIG_FILE;
    public static final List<String> FILES = List.of(WEIGHTS, CONFIG);

    private UploadVerifier() {
    }

    /** Why an upload was refused; the message is the reason recorded on the task. */
    public static final class Rejected extends Exception {
        public Rejected(String reason) {
            super(reason);
        }
    }

    /** A verified upload: the parsed adapter and the checksums it was verified against. */
    public record Verified(LoraAdapter adapter, String weightsSha256, String configSha256, long bytes) {
    }

    public static Verified verify(JobRequest job, Map<String, String> claimed, Optional<byte[]> weights,
                                  Optional<byte[]> config, LoraAdapter reference, String source) throws Rejected {
        for (String file : FILES) {
            String sha = claimed.get(file);
            if (sha == null || !sha.matches("[0-9a-fA-F]{64}")) {
                throw new Rejected("sha256." + file + " must be 64 hex digits");
            }
        }
        if (weights.isEmpty()) {
            throw new Rejected(WEIGHTS + " was not uploaded");
        }
        if (config.isEmpty()) {
            throw new Rejected(CONFIG + " was not uploaded");
        }
        String weightsSha = Sha256.hex(weights.get());
        String configSha = Sha256.hex(config.get());
        if (!weightsSha.equalsIgnoreCase(claimed.get(WEIGHTS))) {
            throw new Rejected(WEIGHTS + " has SHA-256 " + weightsSha + " but the worker claimed " + claimed.get(WEIGHTS));
        }
        if (!configSha.equalsIgnoreCase(claimed.get(CONFIG))) {
            throw new Rejected(CONFIG + " has SHA-256 " + configSha + " but the worker claimed " + claimed.get(CONFIG));
        }
        LoraAdapter adapter;
        try {
            adapter = PeftAdapters.fromParts(new String(config.get(), StandardCharsets.UTF_8),
                    SafeTensors.read(weights.get(), source + "/" + WEIGHTS), source);
        } catch (IOException | RuntimeException e) {
            throw new Rejected("not a valid PEFT adapter: " + e.getMessage());
        }
        checkConfig(job, adapter);
        checkFinite(adapter);
        if (reference != null) {
            checkMatches(job, adapter, reference);
        }
        return new Verified(adapter, weightsSha, configSha, weights.get().length + (long) config.get().length);
    }

    private static void checkConfig(JobRequest job, LoraAdapter adapter) throws Rejected {
        if (adapter.config().r() != job.rank()) {
            throw new Rejected("adapter_config.json has r=" + adapter.config().r() + " but the job trains rank " + job.rank());
        }
        if (Math.abs(adapter.config().loraAlpha() - job.alpha()) > 1e-6 * Math.max(1, Math.abs(job.alpha()))) {
            throw new Rejected("adapter_config.json has lora_alpha=" + adapter.config().loraAlpha()
                    + " but the job uses " + job.alpha());
        }
        if (adapter.config().useRslora() != Boolean.TRUE.equals(job.useRslora())) {
            throw new Rejected("adapter_config.json has use_rslora=" + adapter.config().useRslora()
                    + " but the job uses " + Boolean.TRUE.equals(job.useRslora()));
        }
        for (LoraLayer layer : adapter.layers().values()) {
            if (layer.rank() != job.rank()) {
                throw new Rejected("layer " + layer.module() + " has rank " + layer.rank() + ", the job trains rank "
                        + job.rank());
            }
            if (job.targetModules().stream().noneMatch(t -> targets(layer.module(), t))) {
                throw new Rejected("layer " + layer.module() + " is not one of the job's target modules "
                        + job.targetModules());
            }
        }
        for (String target : job.targetModules()) {
            if (adapter.layers().keySet().stream().noneMatch(m -> targets(m, target))) {
                throw new Rejected("no LoRA layer for target module '" + target + "'");
            }
        }
    }

    static boolean targets(String module, String target) {
        return module.equals(target) || module.endsWith("." + target);
    }

    private static void checkFinite(LoraAdapter adapter) throws Rejected {
        for (LoraLayer layer : adapter.layers().values()) {
            if (!layer.a().isFinite()) {
                throw new Rejected("layer " + layer.module() + ": lora_A holds a NaN or infinite value");
            }
            if (!layer.b().isFinite()) {
                throw new Rejected("layer " + layer.module() + ": lora_B holds a NaN or infinite value");
            }
        }
        for (Map.Entry<String, Tensor> e : adapter.extras().entrySet()) {
            DType t = e.getValue().dtype();
            if (t == DType.F32 || t == DType.F16 || t == DType.BF16 || t == DType.F64) {
                for (float v : e.getValue().toFloatArray()) {
                    if (!Float.isFinite(v)) {
                        throw new Rejected("tensor " + e.getKey() + " holds a NaN or infinite value");
                    }
                }
            }
        }
    }

    private static void checkMatches(JobRequest job, LoraAdapter adapter, LoraAdapter reference) throws Rejected {
        if (!adapter.layers().keySet().equals(reference.layers().keySet())) {
            throw new Rejected("LoRA layers " + adapter.layers().keySet() + " differ from the round's "
                    + reference.layers().keySet());
        }
        for (LoraLayer layer : adapter.layers().values()) {
            LoraLayer ref = reference.layers().get(layer.module());
            if (!sameShape(layer.a(), ref.a()) || !sameShape(layer.b(), ref.b())) {
                throw new Rejected("layer " + layer.module() + " has lora_A " + layer.a().shape() + " and lora_B "
                        + layer.b().shape() + ", the round's adapters have " + ref.a().shape() + " and " + ref.b().shape());
            }
            if (job.method() == Method.FFA && !layer.a().equals(ref.a())) {
                throw new Rejected("layer " + layer.module() + ": FFA keeps lora_A frozen at the shared initialisation,"
                        + " but this upload's lora_A differs from the round's");
            }
        }
        if (!adapter.extras().keySet().equals(reference.extras().keySet())) {
            throw new Rejected("extra tensors " + adapter.extras().keySet() + " differ from the round's "
                    + reference.extras().keySet());
        }
        for (Map.Entry<String, Tensor> e : adapter.extras().entrySet()) {
            if (!java.util.Arrays.equals(e.getValue().shape(), reference.extras().get(e.getKey()).shape())) {
                throw new Rejected("tensor " + e.getKey() + " has shape " + java.util.Arrays.toString(e.getValue().shape())
                        + ", the round's is " + java.util.Arrays.toString(reference.extras().get(e.getKey()).shape()));
            }
        }
    }

    private static boolean sameShape(Matrix x, Matrix y) {
        return x.rows() == y.rows() && x.cols() == y.cols();
    }
}
