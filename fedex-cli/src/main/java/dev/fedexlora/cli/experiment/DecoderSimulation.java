package dev.fedexlora.cli.experiment;

import ai.djl.Device;
import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.RoundResult;
import dev.fedexlora.core.aggregate.AggregationMethod;
import dev.fedexlora.core.aggregate.AggregationResult;
import dev.fedexlora.core.aggregate.Aggregator;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Partitioner;
import dev.fedexlora.train.decoder.CausalLm;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.LmData;
import dev.fedexlora.train.decoder.LmTrainer;
import dev.fedexlora.train.decoder.PromptPairs;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.training.ProgressListener;
import dev.fedexlora.train.training.TrainingConfig;
import dev.fedexlora.train.training.TrainingReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@link Simulation} for the causal-LM task: the same Dirichlet split over the labelled examples, the same client
 * held-out share, seed derivation, example-count weights, lora-core aggregation, exactness check and residual
 * folding, but each client fine-tunes LoRA adapters of a decoder ({@link CausalLm}, {@link LmTrainer}) on
 * prompt/response pairs ({@link PromptPairs}), and each round's global model (base with every residual so far, plus
 * the global adapter) is scored on the first {@value #TEST_PAIRS} test pairs: held-out loss per response token (perplexity is its exp), and
 * exact match (the greedy continuation is the response, computed teacher-forced in one batched pass), which goes
 * into {@link RoundResult#testAccuracy()}; {@link RoundResult#clientAccuracy()} is the clients' held-out
 * next-token accuracy.
 */
final class DecoderSimulation implements Simulator {

    static final int EVAL_BATCH = 32;
    /** Test pairs each round's global model is scored on: the first of the test share (seed-0 order). */
    static final int TEST_PAIRS = 200;

    private final DecoderCheckpoint base;
    private final String baseName;
    private final List<String> labelNames;
    private final List<Example> pool;
    private final LmData.Tokens tokens;
    private final List<LmData.Sequence> test;
    private final long pad;
    private final PrintStream progress;

    DecoderSimulation(DecoderCheckpoint base, String baseName, List<String> labelNames, List<Example> pool,
                      List<Example> test, int maxLength, PrintStream progress) throws IOException {
        this.progress = progress;
        this.base = base;
        this.baseName = baseName;
        this.labelNames = List.copyOf(labelNames);
        this.pool = List.copyOf(pool);
        this.tokens = LmData.Tokens.of(base, maxLength);
        this.test = tokens.sequences(PromptPairs.pairs(test.subList(0, Math.min(TEST_PAIRS, test.size())), labelNames));
        this.pad = Math.max(0, base.config().padTokenId());
    }

    @Override
    public JobResult run(Run r, Simulation.Hyper h) throws IOException {
        long started = System.nanoTime();
        List<String> ids = r.clientIds();
        List<List<Example>> shards = r.centralized() ? List.of(pool)
                : Partitioner.split(pool, r.clients(), Partitioner.Strategy.DIRICHLET, r.alpha(), r.seed());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing(ids::get));
        List<List<LmData.Sequence>> trains = new ArrayList<>();
        List<List<LmData.Sequence>> helds = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            List<List<Example>> split = Partitioner.trainTest(shards.get(i), Simulation.WORKER_HELD_OUT,
                    ids.get(i).hashCode());
            if (split.get(0).isEmpty()) {
                return new JobResult("in-process", "FAILED", "client " + ids.get(i) + " holds no training examples "
                        + "in this split", seconds(started), List.of());
            }
            trains.add(tokens.sequences(PromptPairs.pairs(split.get(0), labelNames)));
            helds.add(tokens.sequences(PromptPairs.pairs(split.get(1), labelNames)));
        }
        AggregationMethod method = Simulator.aggregation(r);
        LoraSettings lora = Simulator.lora(r, h);
        int steps = r.centralized() ? h.centralizedSteps() : h.localSteps();
        DecoderCheckpoint checkpoint = base;
        LoraAdapter global = null;
        List<RoundResult> rounds = new ArrayList<>();
        for (int round = 1; round <= h.rounds(); round++) {
            List<LoraAdapter> adapters = new ArrayList<>();
            List<String> names = new ArrayList<>();
            double[] weights = new double[order.size()];
            double accSum = 0;
            double accWeight = 0;
            for (int k = 0; k < order.size(); k++) {
                int c = order.get(k);
                String id = ids.get(c);
                long clientSeed = r.seed() * 1_000_003L + id.hashCode() * 31L + round;
                TrainingConfig config = new TrainingConfig(h.learningRate(), h.batchSize(), steps, 0, 0.06, 0.0, 1.0,
                        h.maxLength(), clientSeed);
                try (CausalLm model = CausalLm.create(Device.cpu(), checkpoint, lora, global, r.seed())) {
                    TrainingReport report = LmTrainer.train(model, trains.get(c), helds.get(c), config, 1, pad,
                            ProgressListener.NONE);
                    adapters.add(model.toAdapter(baseName));
                    weights[k] = report.examples();
                    if (!Double.isNaN(report.eval().accuracy())) {
                        accSum += report.eval().accuracy() * report.examples();
                        accWeight += report.examples();
                    }
                }
                names.add("client " + id);
            }
            AggregationResult result = Aggregator.aggregate(method, adapters, weights, names);
            double exactness = result.maxExactnessError();
            if (method != AggregationMethod.FEDIT && !(exactness <= Simulation.EXACTNESS_TOLERANCE)) {
                return new JobResult("in-process", "FAILED", "round " + round + ": exactness error " + exactness
                        + " exceeds " + Simulation.EXACTNESS_TOLERANCE, seconds(started), rounds);
            }
            long residualBytes = 0;
            if (!result.residuals().isEmpty()) {
                residualBytes = SafeTensors.toBytes(Residuals.toTensorFile(result.residuals())).length;
                checkpoint = checkpoint.withResidual(result.residuals(), "round " + round);
            }
            global = result.global();
            long adapterBytes = SafeTensors.toBytes(PeftAdapters.weights(global)).length
                    + PeftAdapters.configJson(global).getBytes(StandardCharsets.UTF_8).length;
            LmTrainer.LmEvaluation e = evaluate(checkpoint, global);
            progress.printf(Locale.ROOT, "  %s round %d: test loss %.4f, exact match %.3f (%.0f s)%n", r.name(), round,
                    e.loss(), e.exactMatch(), seconds(started));
            rounds.add(new RoundResult(round, round, e.exactMatch(), e.loss(),
                    accWeight > 0 ? accSum / accWeight : Double.NaN, exactness, result.maxDeviation(), residualBytes,
                    adapterBytes, Simulation.report(result)));
        }
        return new JobResult("in-process", "SUCCEEDED", null, seconds(started), rounds);
    }

    /** The global model on the test pairs. */
    LmTrainer.LmEvaluation evaluate(DecoderCheckpoint checkpoint, LoraAdapter adapter) {
        try (CausalLm model = CausalLm.create(Device.cpu(), checkpoint, CausalLm.settingsOf(adapter), adapter, 0)) {
            return LmTrainer.evaluate(model, test, EVAL_BATCH, pad);
        }
    }

    /** The base model alone on the test pairs (round 0). */
    LmTrainer.LmEvaluation evaluateBase() {
        try (CausalLm model = CausalLm.create(Device.cpu(), base, null, null, 0)) {
            return LmTrainer.evaluate(model, test, EVAL_BATCH, pad);
        }
    }

    private static double seconds(long started) {
        return (System.nanoTime() - started) / 1e9;
    }

    @Override
    public void close() {
        tokens.close();
    }
}
