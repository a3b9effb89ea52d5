package dev.fedexlora.cli.experiment;

import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.RoundResult;
import dev.fedexlora.cli.train.BundledModels;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.LmTrainer;
import dev.fedexlora.train.decoder.PromptPairs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/** {@code ./fedex experiment --preset NAME}: finds the data sets and the base model, and runs the preset. */
final class Presets {

    static final Path FORTUNES = Path.of("data/datasets/fortunes-sample.jsonl");
    static final double PLATFORM_LR = 5e-3;
    /** Where the causal-LM study keeps its pretrained base models. */
    static final Path DECODER_CACHE = Path.of("data/experiment/causal-lm-base");

    private final Path home;
    private final PrintStream err;

    Presets(Path home, PrintStream err) {
        this.home = home;
        this.err = err;
    }

    int run(Preset preset, Path dataset, boolean replicate, Path out, Path learningRates, double fixedLearningRate,
            long budgetMinutes, Path against) throws IOException, InterruptedException {
        if (preset.task() == Preset.Task.CAUSAL_LM) {
            return runCausalLm(preset, dataset, out, fixedLearningRate, budgetMinutes);
        }
        Path to = resolve(out);
        List<Study.Data> datasets = new ArrayList<>();
        datasets.add(Study.Data.load(existing(resolve(dataset))));
        if (replicate || preset.name().equals("replicate")) {
            datasets.add(Study.Data.load(fortunes()));
        }
        Study study = new Study(HfCheckpoint.load(BundledModels.miniLm()), err);
        Duration budget = budgetMinutes > 0 ? Duration.ofMinutes(budgetMinutes) : Duration.ofDays(365);
        long started = System.nanoTime();
        switch (preset.name()) {
            case "lr", "lr-paper" -> study.searchLearningRates(preset, datasets, to);
            case "validate" -> {
                return validate(study, preset, datasets.getFirst(), to, existing(resolve(against)));
            }
            default -> study.run(preset, datasets, learningRates.toString().equals("fixed")
                    ? Study.fixedLearningRates(datasets, fixedLearningRate)
                    : Study.readLearningRates(resolve(learningRates)), to, budget);
        }
        err.printf("preset %s done in %s; results in %s%n", preset.name(),
                ExperimentCommand.elapsed(Duration.ofNanos(System.nanoTime() - started)), to);
        return 0;
    }

    /**
     * The causal-LM study: the small decoder pretrained on the fortunes (or taken from the cache), the data set's
     * labelled examples turned into prompt/response pairs ({@link PromptPairs}), the preset's grid run with
     * {@code learningRate} for every method, and {@code causal-lm.md} written beside the study's tables.
     */
    private int runCausalLm(Preset preset, Path dataset, Path out, double learningRate, long budgetMinutes)
            throws IOException {
        Path to = resolve(out);
        Path file = existing(resolve(dataset));
        List<String> names = PromptPairs.labelNames(existing(labelsOf(file)));
        Study.Data data = Study.Data.load(file);
        long started = System.nanoTime();
        DecoderCheckpoint base = DecoderPretraining.ensure(home, resolve(DECODER_CACHE), DecoderPretraining.DEFAULT, err);
        Study study = new Study(base, names, err);
        Duration budget = budgetMinutes > 0 ? Duration.ofMinutes(budgetMinutes) : Duration.ofDays(365);
        var all = study.run(preset, List.of(data), Study.fixedLearningRates(List.of(data), learningRate), to, budget);
        LmTrainer.LmEvaluation before;
        try (DecoderSimulation sim = new DecoderSimulation(base, Study.DECODER_NAME, names, data.pool(), data.test(),
                preset.maxLength(), err)) {
            before = sim.evaluateBase();
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - started);
        LmReport.write(to, preset, all, DecoderPretraining.info(base.dir()), before, learningRate,
                ExperimentCommand.elapsed(wall) + " in all (pretraining included when it ran)");
        err.printf("preset %s done in %s; results in %s%n", preset.name(), ExperimentCommand.elapsed(wall), to);
        boolean failed = all.values().stream().flatMap(m -> m.values().stream()).flatMap(m -> m.values().stream())
                .anyMatch(r -> !r.state().equals("SUCCEEDED"));
        return failed ? 1 : 0;
    }

    /**
     * {@code --task causal-lm --summarise}: the causal-LM study's {@code results.json} files (one per setting, as
     * {@code --task causal-lm} writes them, e.g. from processes run with different {@code --preset-seeds}) merged
     * into one report: {@code causal-lm.md}, {@code study.md} and each setting's {@code results.md} and plots.
     */
    int summariseCausalLm(List<Path> files, Path dataset, Path out, double learningRate) throws IOException {
        Preset preset = Preset.named("causal-lm");
        Map<Preset.Point, Map<Run, JobResult>> points = new LinkedHashMap<>();
        Map<Preset.Point, ExperimentCommand.Settings> settings = new LinkedHashMap<>();
        String name = null;
        double seconds = 0;
        for (Path f : files) {
            Results.Read read = Results.read(existing(resolve(f)));
            name = read.settings().dataset();
            for (var e : read.runs().entrySet()) {
                Run r = e.getKey();
                Preset.Point p = preset.points().stream().filter(pt -> r.centralized()
                        ? pt.methods().contains("CENTRALIZED") && pt.rank() == r.rank()
                        : pt.alpha() == r.alpha() && pt.clients() == r.clients() && pt.rank() == r.rank())
                        .findFirst().orElse(null);
                if (p == null) {
                    throw new IllegalArgumentException(f + ": " + r.name() + " is not a setting of the causal-lm preset");
                }
                points.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(r, e.getValue());
                settings.put(p, read.settings());
                seconds += e.getValue().seconds();
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("--summarise needs at least one results.json");
        }
        Path to = resolve(out);
        List<Long> seeds = points.values().stream().flatMap(m -> m.keySet().stream()).map(Run::seed).distinct().sorted()
                .toList();
        Preset merged = preset.withSeeds(seeds);
        for (var e : points.entrySet()) {
            Results.write(to.resolve(name).resolve(e.getKey().label()), settings.get(e.getKey()), e.getValue());
        }
        Path file = existing(resolve(dataset));
        Study.Data data = Study.Data.load(file);
        List<String> names = PromptPairs.labelNames(existing(labelsOf(file)));
        DecoderCheckpoint base = DecoderPretraining.ensure(home, resolve(DECODER_CACHE), DecoderPretraining.DEFAULT, err);
        LmTrainer.LmEvaluation before;
        try (DecoderSimulation sim = new DecoderSimulation(base, Study.DECODER_NAME, names, data.pool(), data.test(),
                preset.maxLength(), err)) {
            before = sim.evaluateBase();
        }
        Map<String, Map<Preset.Point, Map<Run, JobResult>>> all = Map.of(name, points);
        Duration wall = Duration.ofSeconds((long) seconds);
        StudyReport.write(to, merged, all, Study.fixedLearningRates(List.of(data), learningRate), wall,
                StudyReport.IN_PROCESS, true);
        LmReport.write(to, merged, all, DecoderPretraining.info(base.dir()), before, learningRate,
                "the jobs' wall times sum to " + ExperimentCommand.elapsed(wall));
        err.printf("%d results files, seeds %s; causal-LM summary in %s%n", files.size(), seeds, to);
        return 0;
    }

    private static Path labelsOf(Path dataset) {
        return dataset.resolveSibling(dataset.getFileName().toString().replaceFirst("(-sample)?\\.jsonl$", "-labels.txt"));
    }

    /**
     * Runs the preset's jobs in-process with the platform grid's learning rate and compares every round's test
     * accuracy and loss with the platform run in {@code platformResults} (same names, same seeds). Returns 1 when a
     * job is missing there.
     */
    private int validate(Study study, Preset preset, Study.Data data, Path out, Path platformResults) throws IOException {
        Results.Read platform = Results.read(platformResults);
        Preset.Point p = preset.points().getFirst();
        StringBuilder md = new StringBuilder("<!-- written by ./fedex experiment --preset validate; do not edit -->\n\n");
        md.append("| job | round | platform accuracy | in-process accuracy | platform loss | in-process loss |\n")
                .append("|---|---|---|---|---|---|\n");
        double maxAcc = 0;
        double maxLoss = 0;
        int missing = 0;
        try (Simulator sim = study.simulation(preset, data)) {
            for (long seed : preset.seeds()) {
                for (String method : p.methods()) {
                    Run r = Study.run(method, p, seed);
                    JobResult theirs = platform.runs().get(r);
                    if (theirs == null) {
                        err.printf("%s is not in %s%n", r.name(), platformResults);
                        missing++;
                        continue;
                    }
                    JobResult ours = sim.run(r, Study.hyper(preset, p, method, PLATFORM_LR));
                    for (int i = 0; i < Math.min(ours.rounds().size(), theirs.rounds().size()); i++) {
                        RoundResult a = theirs.rounds().get(i);
                        RoundResult b = ours.rounds().get(i);
                        maxAcc = Math.max(maxAcc, Math.abs(a.testAccuracy() - b.testAccuracy()));
                        maxLoss = Math.max(maxLoss, Math.abs(a.testLoss() - b.testLoss()));
                        md.append(String.format(Locale.ROOT, "| %s | %d | %.4f | %.4f | %.5f | %.5f |%n", r.name(),
                                a.round(), a.testAccuracy(), b.testAccuracy(), a.testLoss(), b.testLoss()));
                    }
                    err.printf(Locale.ROOT, "%s: %.0f s in-process%n", r.name(), ours.seconds());
                }
            }
        }
        String verdict = String.format(Locale.ROOT, "%nLargest difference over every round: accuracy %.4f, loss %.5f.%n",
                maxAcc, maxLoss);
        md.append(verdict);
        Files.createDirectories(out);
        Files.writeString(out.resolve("validate.md"), md);
        err.print(verdict);
        return missing == 0 ? 0 : 1;
    }

    /**
     * {@code --preset NAME --summarise FILES}: the preset's {@code results.json} files (one per data set and setting, as
     * the preset writes them, e.g. from processes run with different {@code --preset-seeds}) merged into one
     * {@code study.md} and its plots, and each setting's {@code results.json}, {@code results.md} and plots with every
     * seed, each run placed in the preset's setting by its split, clients, rank, local steps
     * and learning-rate scale (against {@code learningRates}, or {@code fixedLearningRate} with {@code fixed}).
     */
    int summarisePreset(Preset preset, List<Path> files, Path out, Path learningRates, double fixedLearningRate)
            throws IOException {
        Map<String, Map<Preset.Point, Map<Run, JobResult>>> all = new LinkedHashMap<>();
        Map<String, Map<String, Double>> rates = learningRates.toString().equals("fixed") ? null
                : Study.readLearningRates(resolve(learningRates));
        Map<String, Map<String, Double>> used = new LinkedHashMap<>();
        Map<String, ExperimentCommand.Settings> settings = new LinkedHashMap<>();
        double seconds = 0;
        for (Path f : files) {
            Results.Read read = Results.read(existing(resolve(f)));
            ExperimentCommand.Settings s = read.settings();
            double base = rates == null ? fixedLearningRate
                    : rates.getOrDefault(s.dataset(), Map.of()).getOrDefault("FEDEX", Double.NaN);
            if (Double.isNaN(base)) {
                throw new IllegalArgumentException(f + ": no learning rate for data set " + s.dataset() + " in "
                        + learningRates);
            }
            used.put(s.dataset(), rates == null ? Map.of("all methods", fixedLearningRate) : rates.get(s.dataset()));
            double scale = s.learningRate() / base;
            Map<Preset.Point, Map<Run, JobResult>> points = all.computeIfAbsent(s.dataset(), k -> new LinkedHashMap<>());
            for (var e : read.runs().entrySet()) {
                Run r = e.getKey();
                List<Preset.Point> matches = preset.points().stream()
                        .filter(p -> p.methods().contains(r.method()) && p.rank() == r.rank()
                                && p.localSteps() == s.localSteps() && Math.abs(p.lrScale() - scale) < 1e-6 * scale
                                && (r.centralized() || p.alpha() == r.alpha() && p.clients() == r.clients()))
                        .toList();
                if (matches.isEmpty()) {
                    throw new IllegalArgumentException(f + ": " + r.name() + " with " + s.localSteps()
                            + " local steps and learning rate " + s.learningRate() + " is not a setting of the "
                            + preset.name() + " preset");
                }
                // A CENTRALIZED run is the same job for every setting that lists it.
                matches.forEach(p -> {
                    points.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(r, e.getValue());
                    if (!r.centralized()) {
                        settings.put(s.dataset() + "/" + p.label(), s);
                    }
                });
                seconds += e.getValue().seconds();
            }
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("--summarise needs at least one results.json");
        }
        // In the preset's order, whatever order the files came in.
        all.replaceAll((d, points) -> {
            Map<Preset.Point, Map<Run, JobResult>> ordered = new LinkedHashMap<>();
            preset.points().stream().filter(points::containsKey).forEach(p -> ordered.put(p, points.get(p)));
            return ordered;
        });
        List<Long> seeds = all.values().stream().flatMap(m -> m.values().stream()).flatMap(m -> m.keySet().stream())
                .map(Run::seed).distinct().sorted().toList();
        Path to = resolve(out);
        for (var d : all.entrySet()) {
            for (var p : d.getValue().entrySet()) {
                ExperimentCommand.Settings s = settings.get(d.getKey() + "/" + p.getKey().label());
                if (s != null) {
                    Results.write(to.resolve(d.getKey()).resolve(p.getKey().label()), s, p.getValue());
                }
            }
        }
        StudyReport.write(to, preset.withSeeds(seeds), all, used, Duration.ofSeconds((long) seconds), StudyReport.IN_PROCESS,
                true);
        err.printf("%d results files, %d data sets, seeds %s; summary in %s%n", files.size(), all.size(), seeds, to);
        return 0;
    }

    /**
     * Summarises earlier platform runs ({@code results.json} of the grid) as a study: one setting per split and rank,
     * with the paired intervals, FedIT's dropped fraction, accuracy per megabyte and the gap-against-dropped plot.
     */
    int summarise(List<Path> files, Path out) throws IOException {
        Map<String, Map<Preset.Point, Map<Run, JobResult>>> all = new LinkedHashMap<>();
        Map<String, Map<String, Double>> rates = new LinkedHashMap<>();
        Preset preset = null;
        long wall = 0;
        boolean inProcess = false;
        for (Path f : files) {
            Results.Read read = Results.read(existing(resolve(f)));
            ExperimentCommand.Settings s = read.settings();
            String dataset = s.dataset().replaceFirst("\\.jsonl$", "");
            Map<Preset.Point, Map<Run, JobResult>> points = all.computeIfAbsent(dataset, k -> new LinkedHashMap<>());
            Map<Preset.Point, Map<Run, JobResult>> fromFile = new LinkedHashMap<>();
            read.runs().forEach((r, res) -> {
                if (!r.centralized()) {
                    fromFile.computeIfAbsent(new Preset.Point(s.workers() == 0 ? "in-process" : "platform grid", r.alpha(), r.clients(), r.rank(),
                            s.localSteps(), 1, Preset.MAIN), k -> new LinkedHashMap<>()).put(r, res);
                }
            });
            read.runs().forEach((r, res) -> {
                if (r.centralized()) {
                    fromFile.forEach((p, runs) -> {
                        if (p.rank() == r.rank()) {
                            runs.put(r, res);
                        }
                    });
                }
            });
            // Seeds of one setting run in several processes come together.
            fromFile.forEach((p, runs) -> points.computeIfAbsent(p, k -> new LinkedHashMap<>()).putAll(runs));
            rates.computeIfAbsent(dataset, k -> new LinkedHashMap<>()).put("all methods", s.learningRate());
            wall += (long) read.runs().values().stream().mapToDouble(JobResult::seconds).sum();
            // Studies record no worker processes.
            inProcess |= s.workers() == 0;
            List<Long> seeds = read.runs().keySet().stream().map(Run::seed).distinct().sorted().toList();
            preset = new Preset(StudyReport.SUMMARY, s.targets(), true, s.rounds(), s.batchSize(), s.maxLength(), seeds,
                    List.of());
        }
        if (preset == null) {
            throw new IllegalArgumentException("--summarise needs at least one results.json");
        }
        Path to = resolve(out);
        StudyReport.write(to, preset, all, rates, Duration.ofSeconds(wall), inProcess
                ? StudyReport.IN_PROCESS
                : "through the platform: coordinator, workers and registry", true);
        err.printf("%d data sets, %d settings; summary in %s%n", all.size(),
                all.values().stream().mapToInt(Map::size).sum(), to);
        return 0;
    }

    /** The fortunes sample, built from Debian's fortunes by the project's script when it is missing. */
    private Path fortunes() throws IOException, InterruptedException {
        Path file = home.resolve(FORTUNES);
        if (!Files.isRegularFile(file)) {
            err.println("building " + FORTUNES + " with scripts/build-fortunes-dataset.sh");
            Process p = new ProcessBuilder(home.resolve("scripts/build-fortunes-dataset.sh").toString(),
                    file.getParent().toString(), "150").inheritIO().start();
            if (p.waitFor() != 0 || !Files.isRegularFile(file)) {
                throw new IllegalStateException("scripts/build-fortunes-dataset.sh failed; see its message above");
            }
        }
        return file;
    }

    private Path resolve(Path p) {
        return p.isAbsolute() ? p : home.resolve(p);
    }

    private static Path existing(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        return file;
    }
}
