package dev.fedexlora.coordinator.round;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.fedexlora.core.aggregate.LayerReport;

/**
 * A round's per-layer aggregation reports grouped by transformer layer ({@code model.layers.N.} or BERT's
 * {@code encoder.layer.N.}) and by projection type (the module's last name: q_proj … down_proj for decoders,
 * query/value for BERT): the largest exactness error and FedIT deviation {@code s‖R‖_F} in each group, and the
 * largest relative deviation.
 */
final class LayerGroups {

    private static final Pattern LAYER = Pattern.compile("(?:^|\\.)layers?\\.(\\d+)\\.");

    /** The largest figures of one group of LoRA layers. */
    record Group(int modules, double maxExactnessError, double maxDeviation, double maxRelativeDeviation) {

        Group with(LayerReport r) {
            return new Group(modules + 1, Math.max(maxExactnessError, r.exactnessError()),
                    Math.max(maxDeviation, r.deviation()), Math.max(maxRelativeDeviation, r.relativeDeviation()));
        }
    }

    private LayerGroups() {
    }

    /** Projection type: the module's last path element ({@code model.layers.3.mlp.up_proj} → {@code up_proj}). */
    static String projection(String module) {
        return module.substring(module.lastIndexOf('.') + 1);
    }

    /** Transformer layer index as a string, or {@code "other"} for a module outside the numbered layers. */
    static String layer(String module) {
        Matcher m = LAYER.matcher(module);
        return m.find() ? m.group(1) : "other";
    }

    static Map<String, Group> byProjection(List<LayerReport> layers) {
        return group(layers, r -> projection(r.module()), new LinkedHashMap<>());
    }

    static Map<String, Group> byLayer(List<LayerReport> layers) {
        Map<String, Group> sorted = group(layers, r -> layer(r.module()), new TreeMap<>((a, b) -> {
            boolean na = a.chars().allMatch(Character::isDigit);
            boolean nb = b.chars().allMatch(Character::isDigit);
            return na && nb ? Integer.compare(Integer.parseInt(a), Integer.parseInt(b)) : na ? -1 : nb ? 1 : a.compareTo(b);
        }));
        return new LinkedHashMap<>(sorted);
    }

    private static Map<String, Group> group(List<LayerReport> layers, Function<LayerReport, String> key,
                                            Map<String, Group> out) {
        for (LayerReport r : layers) {
            out.merge(key.apply(r), new Group(0, 0, 0, 0).with(r), (a, b) -> a.with(r));
        }
        return out;
    }
}
