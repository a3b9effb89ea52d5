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

    @Override
    void close();
}
