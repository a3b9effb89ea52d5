package dev.fedexlora.cli.experiment;

import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.RoundResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.Settings;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Jsonl;
import dev.fedexlora.train.data.Partitioner;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.training.FrozenFeatureCache;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs a {@link Preset} in-process on one or more data sets: the learning-rate search on a validation split carved
 * out of the training pool (the test set is never read), or the preset's settings with every method at its chosen
 * rate, seed by seed, writing each setting's results as they complete so that a run stopped at its budget leaves
 * complete seeds behind.
 */
final class Study {

    static final double TEST_SHARE = 0.2;
    static final double VALIDATION_SHARE = 0.2;
    static final double ALPHA_PER_RANK = 2;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The registry-style name adapters of the causal-LM study record as their base model. */
    static final String DECODER_NAME = "pretrained-llama";

    private final HfCheckpoint base;
    private final DecoderCheckpoint decoder;
    private final List<String> labelNames;
    private final PrintStream err;

    /** A study of the encoder classifier. */
    Study(HfCheckpoint base, PrintStream err) {
        this(base, null, List.of(), err);
    }

    /** A causal-LM study of {@code decoder} on prompt/response pairs built with {@code labelNames}. */
    Study(DecoderCheckpoint decoder, List<String> labelNames, PrintStream err) {
        this(null, decoder, labelNames, err);
    }

    private Study(HfCheckpoint base, DecoderCheckpoint decoder, List<String> labelNames, PrintStream err) {
        this.base = base;
        this.decoder = decoder;
        this.labelNames = List.copyOf(labelNames);
        this.err = err;
    }

    /** One data set's examples, split once (seed 0) into the clients' pool and the common test set. */
    record Data(String name, List<Example> pool, List<Example> test, int labels) {

        static Data load(Path file) throws IOException {
            List<Example> all = Jsonl.read(file);
            List<List<Example>> split = Partitioner.trainTest(all, TEST_SHARE, 0);
            String name = file.getFileName().toString().replaceFirst("\\.jsonl$", "");
            return new Data(name, split.get(0), split.get(1), Jsonl.numLabels(all));
        }

        /** The pool without its validation share, and the validation share (seed 1): what the search sees. */
        Data validation() {
            List<List<Example>> split = Partitioner.trainTest(pool, VALIDATION_SHARE, 1);
            return new Data(name, split.get(0), split.get(1), labels);
        }
    }

    /**
     * The search: every method of the preset's first setting at every rate of {@link Preset#LR_GRID}, and on past
     * whichever end of the grid wins, trained on the pool less its validation share and scored on that share; each
     * method's rate is the one with the best final validation accuracy (ties: lower loss). Writes {@code lr.json} and
     * {@code lr.md}.
     */
    Map<String, Map<String, Double>> searchLearningRates(Preset preset, List<Data> datasets, Path out)
            throws IOException {
        Files.createDirectories(out);
        Map<String, Map<String, Double>> chosen = new LinkedHashMap<>();
        StringBuilder md = new StringBuilder("<!-- written by ./fedex experiment --preset lr; do not edit -->\n\n");
        Preset.Point p = preset.points().getFirst();
        long seed = preset.seeds().getFirst();
        for (Data d : datasets) {
            Data v = d.validation();
            md.append(String.format(Locale.ROOT, "### %s: %d training, %d validation examples; %s, seed %d%n%n",
                    d.name(), v.pool().size(), v.test().size(), p.label(), seed));
            md.append("| method | learning rate | validation accuracy | validation loss |\n|---|---|---|---|\n");
            Map<String, Double> best = new LinkedHashMap<>();
            try (Simulator sim = simulation(preset, v)) {
                for (String method : p.methods()) {
                    TreeMap<Double, RoundResult> tried = new TreeMap<>();
                    java.util.ArrayDeque<Double> next = new ArrayDeque<>(Preset.LR_GRID);
                    while (!next.isEmpty()) {
                        double lr = next.poll();
                        JobResult r = sim.run(run(method, p, seed), hyper(preset, p, method, lr));
                        RoundResult last = r.rounds().isEmpty() ? null : r.rounds().getLast();
                        tried.put(lr, last);
                        err.printf(Locale.ROOT, "lr search %s %-11s lr %.0e: validation accuracy %s (%.0f s)%n",
                                d.name(), method, lr, last == null ? "-" : String.format(Locale.ROOT, "%.3f loss %.3f",
                                        last.testAccuracy(), last.testLoss()), r.seconds());
                        if (next.isEmpty()) {
                            // A best rate at the edge of what was tried says the optimum may lie beyond it.
                            double winner = bestRate(tried);
                            if (winner == tried.lastKey() && edgeStep(winner, true) <= Preset.LR_MAX) {
                                next.add(edgeStep(winner, true));
                            } else if (winner == tried.firstKey() && edgeStep(winner, false) >= Preset.LR_MIN) {
                                next.add(edgeStep(winner, false));
                            }
                        }
                    }
                    tried.forEach((lr, last) -> md.append(String.format(Locale.ROOT, "| %s | %.0e | %s | %s |%n",
                            method, lr, last == null ? "–" : String.format(Locale.ROOT, "%.3f", last.testAccuracy()),
                            last == null ? "–" : String.format(Locale.ROOT, "%.3f", last.testLoss()))));
                    best.put(method, bestRate(tried));
                }
            }
            md.append("\nChosen: ").append(best).append("\n\n");
            chosen.put(d.name(), best);
            Files.writeString(out.resolve("lr.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(chosen));
            Files.writeString(out.resolve("lr.md"), md);
        }
        return chosen;
    }

    /** The rate with the best final validation accuracy (ties: lower loss); a failed run never wins. */
    static double bestRate(SortedMap<Double, RoundResult> tried) {
        double best = Double.NaN;
        double bestAcc = -1;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (var e : tried.entrySet()) {
            RoundResult last = e.getValue();
            if (last == null || !Double.isFinite(last.testLoss())) {
                continue;
            }
            if (last.testAccuracy() > bestAcc || last.testAccuracy() == bestAcc && last.testLoss() < bestLoss) {
                bestAcc = last.testAccuracy();
                bestLoss = last.testLoss();
                best = e.getKey();
            }
        }
        if (Double.isNaN(best)) {
            throw new IllegalStateException("every learning rate tried failed: " + tried.keySet());
        }
        return best;
    }

    /** The next rate past {@code lr} in the half-decade series 1, 3, 10, 30, … (up) or 3, 1, 0.3, … (down). */
    static double edgeStep(double lr, boolean up) {
        double decade = Math.pow(10, Math.floor(Math.log10(lr) + 1e-9));
        boolean three = lr / decade > 2;
        double next = up ? (three ? decade * 10 : decade * 3) : (three ? decade : decade * 0.3);
        return Double.parseDouble(String.format(Locale.ROOT, "%.0e", next));
    }

    /** One rate for every method of every data set (what the platform grid used), instead of a search's choice. */
    static Map<String, Map<String, Double>> fixedLearningRates(List<Data> datasets, double lr) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (Data d : datasets) {
            Map<String, Double> m = new LinkedHashMap<>();
            Preset.MAIN.forEach(method -> m.put(method, lr));
            out.put(d.name(), m);
        }
        return out;
    }

    /** Reads what {@link #searchLearningRates} wrote. */
    static Map<String, Map<String, Double>> readLearningRates(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no learning rates; run ./fedex experiment --preset lr first");
        }
        JsonNode root = JSON.readTree(file.toFile());
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        root.properties().forEach(d -> {
            Map<String, Double> m = new LinkedHashMap<>();
            d.getValue().properties().forEach(e -> m.put(e.getKey(), e.getValue().asDouble()));
            out.put(d.getKey(), m);
        });
        return out;
    }

    /**
     * Runs the preset seed by seed (every setting and method of a seed before the next seed), each method at
     * {@code rates.get(dataset).get(method)} × the setting's scale, and writes every setting's results under
     * {@code out/<dataset>/<setting>/} and the summary after each seed. Stops starting seeds once {@code budget} has
     * passed. Returns every setting's runs by data set.
     */
    Map<String, Map<Preset.Point, Map<Run, JobResult>>> run(Preset preset, List<Data> datasets, Map<String, Map<String, Double>> rates, Path out, Duration budget)
            throws IOException {
        long started = System.nanoTime();
        Map<String, Map<Preset.Point, Map<Run, JobResult>>> all = new LinkedHashMap<>();
        for (Data d : datasets) {
            Map<String, Double> lr = rates.get(d.name());
            if (lr == null) {
                throw new IllegalArgumentException("no learning rates for data set " + d.name() + "; run --preset lr with it");
            }
            all.put(d.name(), new LinkedHashMap<>());
        }
        Map<String, Simulator> sims = new LinkedHashMap<>();
        try {
            for (Data d : datasets) {
                sims.put(d.name(), simulation(preset, d));
            }
            seeds:
            for (long seed : preset.seeds()) {
                for (Data d : datasets) {
                    if (System.nanoTime() - started > budget.toNanos()) {
                        err.printf("budget of %s spent: seed %d of %s and later not run%n",
                                ExperimentCommand.elapsed(budget), seed, d.name());
                        break seeds;
                    }
                    for (Preset.Point p : preset.points()) {
                        Map<Run, JobResult> runs = all.get(d.name()).computeIfAbsent(p, k -> new LinkedHashMap<>());
                        for (String method : p.methods()) {
                            double lr = rates.get(d.name()).get(method) * p.lrScale();
                            Run r = run(method, p, seed);
                            JobResult res;
                            try {
                                res = sims.get(d.name()).run(r, hyper(preset, p, method, lr));
                            } catch (RuntimeException e) {
                                res = new JobResult("in-process", "FAILED", e.getMessage(), 0, List.of());
                            }
                            runs.put(r, res);
                            // Written after every job, so a run stopped part-way leaves every finished job behind.
                            write(out.resolve(d.name()).resolve(p.label()), preset, p, d, rates.get(d.name()), runs,
                                    started);
                            RoundResult last = res.rounds().isEmpty() ? null : res.rounds().getLast();
                            err.printf(Locale.ROOT, "%s %s %s %-11s s%d: test accuracy %s (%.0f s, %s elapsed)%n",
                                    preset.name(), d.name(), p.label(), method, seed,
                                    last == null ? "-" : String.format(Locale.ROOT, "%.3f", last.testAccuracy()),
                                    res.seconds(), ExperimentCommand.elapsed(Duration.ofNanos(System.nanoTime() - started)));
                        }
                        write(out.resolve(d.name()).resolve(p.label()), preset, p, d, rates.get(d.name()), runs,
                                started);
                    }
                    StudyReport.write(out, preset, all, rates, Duration.ofNanos(System.nanoTime() - started));
                }
            }
        } finally {
            sims.values().forEach(Simulator::close);
        }
        return all;
    }

    private void write(Path dir, Preset preset, Preset.Point p, Data d, Map<String, Double> lr, Map<Run, JobResult> runs,
                       long started) throws IOException {
        Settings s = new Settings(d.name(), d.pool().size(), d.test().size(), d.labels(), preset.rounds(), p.localSteps(),
                p.localSteps() * p.clients(), preset.batchSize(), lr.get("FEDEX") * p.lrScale(), ALPHA_PER_RANK,
                preset.targets(), preset.maxLength(), 0, Duration.ofNanos(System.nanoTime() - started).toSeconds(),
                Runtime.getRuntime().availableProcessors());
        Results.write(dir, s, runs);
        ObjectNode rates = JSON.createObjectNode();
        lr.forEach((m, v) -> rates.put(m, v * p.lrScale()));
        Files.writeString(dir.resolve("learning-rates.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rates));
    }

    Simulator simulation(Preset preset, Data d) throws IOException {
        if (preset.task() == Preset.Task.CAUSAL_LM) {
            if (decoder == null) {
                throw new IllegalStateException("a causal-LM preset needs a study of a decoder");
            }
            return new DecoderSimulation(decoder, DECODER_NAME, labelNames, d.pool(), d.test(), preset.maxLength(), err);
        }
        return new Simulation(base, "minilm", d.pool(), d.test(), d.labels(), preset.maxLength(),
                preset.cache() ? new FrozenFeatureCache(1L << 30) : null);
    }

    static Run run(String method, Preset.Point p, long seed) {
        return method.equals("CENTRALIZED") ? new Run(method, 0, 1, p.rank(), seed)
                : new Run(method, p.alpha(), p.clients(), p.rank(), seed);
    }

    static Simulation.Hyper hyper(Preset preset, Preset.Point p, String method, double lr) {
        return new Simulation.Hyper(preset.rounds(), p.localSteps(), p.localSteps() * p.clients(), preset.batchSize(),
                lr, ALPHA_PER_RANK, preset.targets(), preset.maxLength());
    }
}
