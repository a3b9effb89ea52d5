package dev.fedexlora.cli.experiment;

import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import java.io.IOException;

/**
 * Runs one job of a study in-process, every round's global model evaluated on the data set's test share: the
 * encoder classifier ({@link Simulation}) or the causal LM ({@link DecoderSimulation}), whichever the preset's task
 * is. Both use the same split, seeds, aggregation and exactness check.
 */
interface Simulator extends AutoCloseable {

    JobResult run(Run r, Simulation.Hyper h) throws IOException;

    /** The aggregation a run's method names (CENTRALIZED aggregates its one client exactly, as FEDEX). */
    static dev.fedexlora.core.aggregate.AggregationMethod aggregation(Run r) {
        return switch (r.method()) {
            case "FEDIT" -> dev.fedexlora.core.aggregate.AggregationMethod.FEDIT;
            case "FFA" -> dev.fedexlora.core.aggregate.AggregationMethod.FFA;
            default -> dev.fedexlora.core.aggregate.AggregationMethod.FEDEX;
        };
    }

    /** The LoRA every client of a run trains: the run's rank, alpha per rank, targets, and A frozen for FFA. */
    static dev.fedexlora.train.model.LoraSettings lora(Run r, Simulation.Hyper h) {
        return new dev.fedexlora.train.model.LoraSettings(r.rank(), h.alphaPerRank() * r.rank(), false, h.targets(),
                r.method().equals("FFA"));
    }

    @Override
    void close();
}
