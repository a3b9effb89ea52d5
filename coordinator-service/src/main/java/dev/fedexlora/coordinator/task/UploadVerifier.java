package dev.fedexlora.coordinator.task;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.fedexlora.coordinator.job.JobRequest;
import dev.fedexlora.core.checksum.Sha256;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.protocol.Method;
import dev.fedexlora.core.protocol.Task;
import dev.fedexlora.core.validate.BaseLayers;
import dev.fedexlora.core.validate.UploadExpectations;
import dev.fedexlora.core.validate.UploadValidator;

/**
 * Checks one client's upload before its task may count: both files present, their SHA-256 equal to what the worker
 * claimed, and then lora-core's {@link UploadValidator}: every {@code adapter_config.json} field aggregation reads
 * equal to the job's (rank, alpha, rsLoRA, no {@code alpha_pattern}/{@code rank_pattern}, {@code fan_in_fan_out}
 * false, no bias), exactly one {@code lora_A}/{@code lora_B} per base layer the job targets with the shapes of the
 * base checkpoint's layer, exactly the job's head tensors, every tensor floating-point and finite, and for FFA the
 * round's frozen {@code lora_A}. Pure: the caller fetches the bytes, after {@link #checkSize} has bounded them.
 */
public final class UploadVerifier {

    public static final String WEIGHTS = PeftAdapters.WEIGHTS_FILE;
    public static final String CONFIG = PeftAdapters.CONFIG_FILE;
    public static final List<String> FILES = List.of(WEIGHTS, CONFIG);

    /** The classification head every SEQUENCE_CLASSIFICATION upload carries (the worker trains it in full). */
    static final String HEAD = "classifier";

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

    /**
     * The validator for a job's uploads: the job's fields, the base checkpoint's layer shapes ({@code baseShapes},
     * tensor name → shape, from its safetensors header) and, for FFA, the frozen {@code lora_A} of a verified upload
     * of the round ({@code ffaReference}, null when none is verified yet).
     *
     * @throws Rejected when the base checkpoint has no layer the job targets or no embedding to size the head by
     */
    public static UploadValidator validator(JobRequest job, Map<String, List<Long>> baseShapes,
                                            LoraAdapter ffaReference) throws Rejected {
        Map<String, Matrix> frozenA = new LinkedHashMap<>();
        if (job.method() == Method.FFA && ffaReference != null) {
            for (LoraLayer l : ffaReference.layers().values()) {
                frozenA.put(l.module(), l.a());
            }
        }
        UploadExpectations expectations = new UploadExpectations(job.rank(), job.alpha(),
                Boolean.TRUE.equals(job.useRslora()), job.targetModules(), job.method().aggregation(), Map.of(),
                Map.of(), frozenA, head(job, baseShapes));
        try {
            return new UploadValidator(expectations, new BaseLayers(baseShapes));
        } catch (IllegalArgumentException e) {
            throw new Rejected(e.getMessage());
        }
    }

    /** {@code classifier.weight} labels×hidden and {@code classifier.bias} for classification; none for causal LM. */
    private static Map<String, List<Long>> head(JobRequest job, Map<String, List<Long>> baseShapes) throws Rejected {
        if (job.effectiveTask() != Task.SEQUENCE_CLASSIFICATION) {
            return Map.of();
        }
        Long hidden = null;
        for (Map.Entry<String, List<Long>> e : baseShapes.entrySet()) {
            if (e.getKey().endsWith("word_embeddings.weight") && e.getValue().size() == 2) {
                hidden = e.getValue().get(1);
                break;
            }
        }
        if (hidden == null) {
            throw new Rejected("the base checkpoint has no word_embeddings.weight to size the classification head by");
        }
        long labels = job.numLabels();
        return Map.of(HEAD + ".weight", List.of(labels, hidden), HEAD + ".bias", List.of(labels));
    }

    /** Refuses a file of {@code bytes} before it is read when the job's shapes cannot produce it. */
    static void checkSize(UploadValidator validator, String file, long bytes) throws Rejected {
        try {
            validator.checkSize(file, bytes, CONFIG.equals(file));
        } catch (IOException e) {
            throw new Rejected(e.getMessage());
        }
    }

    /** Verifies the claimed checksums, then every field and tensor with {@code validator}. */
    public static Verified verify(UploadValidator validator, Map<String, String> claimed, Optional<byte[]> weights,
                                  Optional<byte[]> config, String source) throws Rejected {
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
            adapter = validator.validate(config.get(), weights.get(), source);
        } catch (dev.fedexlora.core.validate.RejectedUploadException e) {
            throw new Rejected(e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw new Rejected("not a valid PEFT adapter: " + e.getMessage());
        }
        return new Verified(adapter, weightsSha, configSha, weights.get().length + (long) config.get().length);
    }
}
