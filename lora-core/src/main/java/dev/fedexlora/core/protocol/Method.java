package dev.fedexlora.core.protocol;

import dev.fedexlora.core.aggregate.AggregationMethod;

/**
 * The methods a job can choose (design.md §1); CENTRALIZED is one client holding the pooled data set. The same enum
 * on every side: the job request, the task lease a worker trains from, the registered version.
 */
public enum Method {
    FEDEX, FEDIT, FFA, CENTRALIZED;

    /** How the round's adapters are combined; a single centralized client aggregates exactly as FedEx-LoRA. */
    public AggregationMethod aggregation() {
        return switch (this) {
            case FEDEX, CENTRALIZED -> AggregationMethod.FEDEX;
            case FEDIT -> AggregationMethod.FEDIT;
            case FFA -> AggregationMethod.FFA;
        };
    }
}
