package dev.fedexlora.core.validate;

import dev.fedexlora.core.aggregate.AggregationResult;
import dev.fedexlora.core.aggregate.LayerReport;
import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.tensor.Tensor;
import java.util.Map;

/** Checks on an aggregate before it may become a model version. */
public final class ResultChecks {

    private ResultChecks() {
    }

    /**
     * Refuses an aggregate with any non-finite value: in the global adapters, the head, a residual to fold, or the
     * exactness figures. {@code source} names the round in the message.
     */
    public static void requireFinite(AggregationResult result, String source) throws RejectedUploadException {
        for (LoraLayer l : result.global().layers().values()) {
            if (!l.a().isFinite() || !l.b().isFinite()) {
                throw new RejectedUploadException(source, l.module(), "the aggregated adapter is not finite");
            }
        }
        for (Map.Entry<String, Tensor> e : result.global().extras().entrySet()) {
            for (float v : e.getValue().toFloatArray()) {
                if (!Float.isFinite(v)) {
                    throw new RejectedUploadException(source, e.getKey(), "the aggregated tensor is not finite");
                }
            }
        }
        for (Map.Entry<String, Residual> e : result.residuals().entrySet()) {
            boolean finite = switch (e.getValue()) {
                case Residual.Factored f -> f.u().isFinite() && f.v().isFinite();
                case Residual.Dense d -> d.delta().isFinite();
            };
            if (!finite) {
                throw new RejectedUploadException(source, e.getKey(), "the residual to fold is not finite");
            }
        }
        for (LayerReport r : result.layers()) {
            if (!Double.isFinite(r.scale()) || !Double.isFinite(r.exactnessError())) {
                throw new RejectedUploadException(source, r.module(), "scale " + r.scale() + " or exactness error "
                        + r.exactnessError() + " is not finite");
            }
        }
    }
}
