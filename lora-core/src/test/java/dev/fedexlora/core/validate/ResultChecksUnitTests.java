package dev.fedexlora.core.validate;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fedexlora.core.aggregate.AggregationMethod;
import dev.fedexlora.core.aggregate.AggregationResult;
import dev.fedexlora.core.aggregate.Aggregator;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A non-finite aggregate never passes; a normal one does. */
class ResultChecksUnitTests {

    @Test
    void aFiniteAggregatePasses() {
        AggregationResult r = Aggregator.aggregate(AggregationMethod.FEDEX,
                List.of(CraftedUploads.honestAdapter(1), CraftedUploads.honestAdapter(2)), null);
        assertThatCode(() -> ResultChecks.requireFinite(r, "job j round 1")).doesNotThrowAnyException();
    }

    @Test
    void aNonFiniteAggregateIsRefusedNamingTheLayer() {
        LoraAdapter a = CraftedUploads.honestAdapter(1);
        Map<String, LoraLayer> layers = new LinkedHashMap<>(a.layers());
        String m = CraftedUploads.MODULES.get(1);
        float[] b = layers.get(m).b().data().clone();
        b[0] = Float.POSITIVE_INFINITY;
        layers.put(m, new LoraLayer(m, layers.get(m).a(), new Matrix(b.length / 4, 4, b)));
        AggregationResult bad = new AggregationResult(AggregationMethod.FEDIT, new LoraAdapter(a.config(), layers,
                a.extras()), Map.of(), List.of(), new double[] {1});
        assertThatThrownBy(() -> ResultChecks.requireFinite(bad, "job j round 1"))
                .isInstanceOf(RejectedUploadException.class)
                .hasMessage("job j round 1: " + m + ": the aggregated adapter is not finite");
    }
}
