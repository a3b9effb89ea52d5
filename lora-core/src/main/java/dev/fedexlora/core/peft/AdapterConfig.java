package dev.fedexlora.core.peft;

import java.util.List;
import java.util.Map;

/**
 * The fields of a PEFT {@code adapter_config.json} that aggregation depends on. The scale of a layer is
 * {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA, where {@code r} is that layer's rank and
 * {@code alpha} comes from {@code alpha_pattern} when a pattern names the layer.
 *
 * @param r               the default rank
 * @param loraAlpha       the default alpha
 * @param useRslora       scale by {@code alpha/sqrt(r)} instead of {@code alpha/r}
 * @param targetModules   module names (suffixes) LoRA was applied to
 * @param modulesToSave   fully trained modules stored beside the adapters (e.g. the classifier head)
 * @param fanInFanOut     base weights are stored in×out (GPT-2 Conv1D), so the update is {@code (BA)ᵀ}
 * @param alphaPattern    per-module alpha overrides, keyed by PEFT's module patterns
 * @param baseModel       {@code base_model_name_or_path}, informational
 * @param taskType        PEFT task type, informational (may be null)
 */
public record AdapterConfig(int r, double loraAlpha, boolean useRslora, List<String> targetModules,
                            List<String> modulesToSave, boolean fanInFanOut, Map<String, Double> alphaPattern,
                            String baseModel, String taskType) {

    public AdapterConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("r must be positive, got " + r);
        }
        targetModules = List.copyOf(targetModules);
        modulesToSave = List.copyOf(modulesToSave);
        alphaPattern = Map.copyOf(alphaPattern);
    }

    /** A LoRA configuration with PEFT's defaults for everything else. */
    public static AdapterConfig of(int r, double alpha, List<String> targetModules) {
        return new AdapterConfig(r, alpha, false, targetModules, List.of(), false, Map.of(), null, null);
    }

    /**
     * The alpha in effect for {@code module}: a key of {@code alpha_pattern} applies when it is the module name or
     * a dotted suffix of it. Keys are compared as plain strings, never compiled: PEFT reads them as regular
     * expressions, but a key comes from an uploaded file, and a hostile pattern would stall whoever compiles it.
     */
    public double alphaFor(String module) {
        for (Map.Entry<String, Double> e : alphaPattern.entrySet()) {
            if (module.equals(e.getKey()) || module.endsWith("." + e.getKey())) {
                return e.getValue();
            }
        }
        return loraAlpha;
    }

    /** The scale of a layer of {@code rank} called {@code module}. */
    public double scale(String module, int rank) {
        double alpha = alphaFor(module);
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    public AdapterConfig withRankAndAlpha(int newR, double newAlpha) {
        return new AdapterConfig(newR, newAlpha, useRslora, targetModules, modulesToSave, fanInFanOut, Map.of(),
                baseModel, taskType);
    }
}
