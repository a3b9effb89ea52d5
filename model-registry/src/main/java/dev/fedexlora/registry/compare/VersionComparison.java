package dev.fedexlora.registry.compare;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.fedexlora.registry.version.VersionResponse;
import java.util.List;

/**
 * Two versions of one model compared.
 *
 * @param a              the first version, with its lineage
 * @param b              the second version, with its lineage
 * @param commonAncestor the newest version both lineages contain (every version descends from version 0)
 * @param metrics        every metric either version recorded, with {@code delta = b − a} when both are numbers
 * @param layers         per LoRA layer, the exactness error and deviation s‖R‖_F each version's round recorded
 *                       (empty for a version without a round report, such as the base)
 */
public record VersionComparison(String model, VersionResponse a, VersionResponse b, int commonAncestor,
                                List<MetricRow> metrics, List<LayerRow> layers) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MetricRow(String name, Object a, Object b, Double delta) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LayerRow(String module, Double exactnessErrorA, Double exactnessErrorB, Double deviationA,
                           Double deviationB) {
    }
}
