package dev.fedexlora.coordinator.round;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.fedexlora.core.aggregate.AggregationMethod;
import dev.fedexlora.core.aggregate.LayerReport;

/** A round's per-layer figures grouped by projection type and by transformer layer. */
class LayerGroupsUnitTests {

    private static LayerReport layer(String module, double exactness, double deviation) {
        return new LayerReport(module, AggregationMethod.FEDEX, 8, 8, 2, 2.0, 4, false, exactness, deviation,
                deviation / 10, 10, 64, 256, false);
    }

    @Test
    void decoderProjectionsAndLayersKeepTheirWorstFigures() {
        List<LayerReport> layers = List.of(
                layer("base_model.model.model.layers.0.self_attn.q_proj", 1e-7, 0.5),
                layer("base_model.model.model.layers.1.self_attn.q_proj", 3e-7, 0.2),
                layer("base_model.model.model.layers.1.mlp.down_proj", 2e-7, 0.9),
                layer("base_model.model.model.layers.10.mlp.down_proj", 1e-8, 0.1));
        var byProjection = LayerGroups.byProjection(layers);
        assertThat(byProjection).containsOnlyKeys("q_proj", "down_proj");
        assertThat(byProjection.get("q_proj")).isEqualTo(new LayerGroups.Group(2, 3e-7, 0.5, 0.05));
        assertThat(byProjection.get("down_proj")).isEqualTo(new LayerGroups.Group(2, 2e-7, 0.9, 0.09));
        var byLayer = LayerGroups.byLayer(layers);
        assertThat(byLayer.keySet()).containsExactly("0", "1", "10");
        assertThat(byLayer.get("1").modules()).isEqualTo(2);
        assertThat(byLayer.get("1").maxDeviation()).isEqualTo(0.9);
    }

    @Test
    void bertModulesGroupByQueryAndValueAndTheirEncoderLayer() {
        assertThat(LayerGroups.projection("bert.encoder.layer.3.attention.self.query")).isEqualTo("query");
        assertThat(LayerGroups.layer("bert.encoder.layer.3.attention.self.query")).isEqualTo("3");
        assertThat(LayerGroups.layer("classifier")).isEqualTo("other");
    }
}
