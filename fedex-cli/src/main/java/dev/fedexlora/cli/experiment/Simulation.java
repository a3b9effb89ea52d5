package dev.fedexlora.cli.experiment;

import ai.djl.Device;
import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.RoundResult;
import dev.fedexlora.core.aggregate.AggregationMethod;
import dev.fedexlora.core.aggregate.AggregationResult;
import dev.fedexlora.core.aggregate.Aggregator;
import dev.fedexlora.core.aggregate.LayerReport;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Partitioner;
import dev.fedexlora.train.model.BertClassifier;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.model.TextEncoder;
import dev.fedexlora.train.training.Evaluation;
import dev.fedexlora.train.training.FrozenFeatureCache;
import dev.fedexlora.train.training.LocalTrainer;
import dev.fedexlora.train.training.TaskTrainer;
import dev.fedexlora.train.training.TrainingConfig;
import dev.fedexlora.train.training.TrainingReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs an experiment's jobs in this process with exactly the code the platform runs for them, without the services
 * around it: the clients' shards are drawn as {@link dev.fedexlora.cli.platform.Shards} draws them, each client holds
 * out a share of its shard as a worker does ({@code fedex.worker.held-out-fraction}), trains with the worker's
 * {@link TrainingConfig} and seed derivation on {@link LocalTrainer}, and the round is aggregated by lora-core's
 * {@link Aggregator} with example-count weights, checked for exactness as the coordinator checks it, and its
 * residual folded into the base weights with {@link TaskTrainer#withResidual}. What is left out is transport:
 * uploads, leases, the registry. {@code ./fedex experiment --preset validate} compares the two paths.
 */
final class Simulation implements Simulator {

    /** The worker's default share of each client's examples held out for its own evaluation. */
    static final double WORKER_HELD_OUT = 0.1;
    /** The coordinator refuses an exact method's round above this exactness error. */
    static final double EXACTNESS_TOLERANCE = 1e-5;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The hyper-parameters of one job (the learning rate may differ per method). */
    record Hyper(int rounds, int localSteps, int centralizedSteps, int batchSize, double learningRate,
                 double alphaPerRank, List<String> targets, int maxLength) {
    }

    private final HfCheckpoint base;
    private final String baseName;
    private final List<Example> pool;
    private final List<Example> test;
    private final int numLabels;
    private final TextEncoder encoder;
    private final FrozenFeatureCache cache;

    /**
     * @param cache the frozen layers' outputs shared by every client and round (a worker's
     *              {@code fedex.worker.cache-frozen-layers}); null to run every step through the whole encoder
     */
    Simulation(HfCheckpoint base, String baseName, List<Example> pool, List<Example> test, int numLabels,
               int maxLength, FrozenFeatureCache cache) throws IOException {
        this.cache = cache;
        this.base = base;
        this.baseName = baseName;
        this.pool = List.copyOf(pool);
        this.test = List.copyOf(test);
        this.numLabels = numLabels;
        this.encoder = new TextEncoder(base.tokenizer(), maxLength, base.config().padTokenId());
    }

    /** One job, every round evaluated on the test set. */
    @Override
    public JobResult run(Run r, Hyper h) throws IOException {
        long started = System.nanoTime();
        List<String> ids = r.clientIds();
        List<List<Example>> shards = r.centralized() ? List.of(pool)
                : Partitioner.split(pool, r.clients(), Partitioner.Strategy.DIRICHLET, r.alpha(), r.seed());
        // The coordinator aggregates the round's tasks in client-id order.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing(ids::get));
        for (int i = 0; i < ids.size(); i++) {
            if (Partitioner.trainTest(shards.get(i), WORKER_HELD_OUT, ids.get(i).hashCode()).get(0).isEmpty()) {
                // A worker cannot train such a client: the platform's job fails the same way.
                return new JobResult("in-process", "FAILED", "client " + ids.get(i) + " holds no training examples "
                        + "in this split", seconds(started), List.of());
            }
        }
        AggregationMethod method = Simulator.aggregation(r);
        LoraSettings lora = Simulator.lora(r, h);
        int steps = r.centralized() ? h.centralizedSteps() : h.localSteps();
        HfCheckpoint checkpoint = base;
        LoraAdapter global = null;
        List<RoundResult> rounds = new ArrayList<>();
        for (int round = 1; round <= h.rounds(); round++) {
            List<LoraAdapter> adapters = new ArrayList<>();
            List<String> names = new ArrayList<>();
            double[] weights = new double[order.size()];
            double accSum = 0;
            double accWeight = 0;
            for (int k = 0; k < order.size(); k++) {
                String id = ids.get(order.get(k));
                List<List<Example>> split = Partitioner.trainTest(shards.get(order.get(k)), WORKER_HELD_OUT,
                        id.hashCode());
                long clientSeed = r.seed() * 1_000_003L + id.hashCode() * 31L + round;
                TrainingConfig config = new TrainingConfig(h.learningRate(), h.batchSize(), steps, 0, 0.06, 0.0, 1.0,
                        h.maxLength(), clientSeed);
                try (TextEncoder clientEncoder = new TextEncoder(checkpoint.tokenizer(), h.maxLength(),
                        checkpoint.config().padTokenId());
                     BertClassifier model = BertClassifier.create(Device.cpu(), checkpoint, lora, numLabels, global,
                             r.seed())) {
                    TrainingReport report = LocalTrainer.train(model, clientEncoder, split.get(0), split.get(1),
                            config, (s, t, l, lr) -> { }, cache);
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
            if (method != AggregationMethod.FEDIT && !(exactness <= EXACTNESS_TOLERANCE)) {
                return new JobResult("in-process", "FAILED", "round " + round + ": exactness error " + exactness
                        + " exceeds " + EXACTNESS_TOLERANCE, seconds(started), rounds);
            }
            long residualBytes = 0;
            if (!result.residuals().isEmpty()) {
                residualBytes = SafeTensors.toBytes(Residuals.toTensorFile(result.residuals())).length;
                checkpoint = TaskTrainer.withResidual(checkpoint, result.residuals(), "round " + round);
            }
            global = result.global();
            long adapterBytes = SafeTensors.toBytes(PeftAdapters.weights(global)).length
                    + PeftAdapters.configJson(global).getBytes(StandardCharsets.UTF_8).length;
            Evaluation e = evaluate(checkpoint, global);
            rounds.add(new RoundResult(round, round, e.accuracy(), e.loss(),
                    accWeight > 0 ? accSum / accWeight : Double.NaN, exactness, result.maxDeviation(), residualBytes,
                    adapterBytes, report(result)));
        }
        return new JobResult("in-process", "SUCCEEDED", null, seconds(started), rounds);
    }

    /** The global model (the base with every residual so far folded in, plus the global adapter) on the test set. */
    private Evaluation evaluate(HfCheckpoint checkpoint, LoraAdapter adapter) {
        AdapterConfig c = adapter.config();
        LoraSettings lora = new LoraSettings(c.r(), c.loraAlpha(), c.useRslora(), c.targetModules(), false);
        try (BertClassifier classifier = BertClassifier.create(Device.cpu(), checkpoint, lora, numLabels, adapter, 0)) {
            return LocalTrainer.evaluate(classifier, encoder, test, 128, cache);
        }
    }

    /** The per-layer part of the coordinator's report.json, as {@link Results} reads it. */
    static ObjectNode report(AggregationResult result) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode layers = root.putArray("layers");
        for (LayerReport l : result.layers()) {
            layers.addObject().put("module", l.module()).put("deviation", l.deviation())
                    .put("relativeDeviation", l.relativeDeviation()).put("idealUpdateNorm", l.idealUpdateNorm())
                    .put("exactnessError", l.exactnessError()).put("residualWidth", l.residualWidth())
                    .put("residualBytes", l.residualBytes()).put("denseBytes", l.denseBytes());
        }
        return root;
    }

    private static double seconds(long started) {
        return (System.nanoTime() - started) / 1e9;
    }

    static String describe(Hyper h) {
        return String.format(Locale.ROOT, "%d rounds × %d local steps, batch %d, lr %.0e, %d tokens", h.rounds(),
                h.localSteps(), h.batchSize(), h.learningRate(), h.maxLength());
    }

    @Override
    public void close() {
        encoder.close();
    }
}
