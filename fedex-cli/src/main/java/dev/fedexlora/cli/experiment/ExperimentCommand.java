package dev.fedexlora.cli.experiment;

import dev.fedexlora.cli.platform.Home;
import dev.fedexlora.cli.platform.JobRequests;
import dev.fedexlora.cli.platform.LocalPlatform;
import dev.fedexlora.cli.platform.PlatformClient;
import dev.fedexlora.cli.platform.Shards;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Jsonl;
import dev.fedexlora.train.data.Partitioner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code ./fedex experiment}: a grid of jobs (methods × Dirichlet splits × client counts × seeds, plus a rank-1
 * setting) run through a local platform's coordinator and workers, every round's global model evaluated on a test
 * set held back from all clients, and the results written to {@code --out} (results.json, results.md, PNG plots).
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"Compare CENTRALIZED, FEDEX, FEDIT and FFA through the platform: start it on embedded defaults, "
                + "split the data set among clients for each Dirichlet alpha and client count, run one job per "
                + "method, split and seed, evaluate each round's global model on a held-back test set, and write "
                + "results.json, results.md and PNG plots to --out.",
                "With --preset, run a study in-process on the same training and aggregation code instead "
                + "(lr, lr-paper, paper, sweep, replicate, validate); with --summarise, re-read earlier results.json files with "
                + "paired 95 % intervals. See docs/results.md.",
                "Progress goes to stderr; service logs to <data>/logs."})
public final class ExperimentCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "data/experiment", description = "Where the platform keeps its state (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--dataset", defaultValue = "datasets/wordnet-nouns-sample.jsonl", description = "JSONL data set (default ${DEFAULT-VALUE}).")
    Path dataset;

    @Option(names = "--out", defaultValue = "docs/results", description = "Where the results go (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--methods", split = ",", defaultValue = "CENTRALIZED,FEDEX,FEDIT,FFA", description = "Methods (default ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--alphas", split = ",", defaultValue = "0.1,1,100", description = "Dirichlet concentrations of the splits; 100 is close to IID (default ${DEFAULT-VALUE}).")
    List<Double> alphas;

    @Option(names = "--clients", split = ",", defaultValue = "3,10", description = "Client counts (default ${DEFAULT-VALUE}).")
    List<Integer> clientCounts;

    @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "Seeds of split, initialisation and batch order (default ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--rank", defaultValue = "4", description = "LoRA rank of the grid (default ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--extra-rank", defaultValue = "1", description = "A further rank for the federated methods in one setting, 0 for none (default ${DEFAULT-VALUE}).")
    int extraRank;

    @Option(names = "--extra-rank-setting", defaultValue = "0.1:3", description = "ALPHA:CLIENTS of that setting (default ${DEFAULT-VALUE}).")
    String extraRankSetting;

    @Option(names = "--alpha-per-rank", defaultValue = "2", description = "lora_alpha = this × rank, so the scale alpha/r is the same for every rank (default ${DEFAULT-VALUE}).")
    double alphaPerRank;

    @Option(names = "--targets", split = ",", defaultValue = "layer.5.attention.self.query,layer.5.attention.self.value",
            description = "Modules LoRA adapts (default: query and value of the top layer, ${DEFAULT-VALUE}).")
    List<String> targets;

    @Option(names = "--rounds", defaultValue = "5", description = "Rounds per job (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--local-steps", defaultValue = "10", description = "Steps per client per round (default ${DEFAULT-VALUE}).")
    int localSteps;

    @Option(names = "--centralized-steps", defaultValue = "30", description = "Steps per round of the centralised baseline (default ${DEFAULT-VALUE}).")
    int centralizedSteps;

    @Option(names = "--batch-size", defaultValue = "16", description = "Local batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--learning-rate", defaultValue = "5e-3", description = "Peak local learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--test-share", defaultValue = "0.2", description = "Share of the data set held back as the common test set (default ${DEFAULT-VALUE}).")
    double testShare;

    @Option(names = "--workers", defaultValue = "2", description = "Worker processes hosting the clients (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--parallel-jobs", defaultValue = "4", description = "Jobs in flight at once (default ${DEFAULT-VALUE}).")
    int parallelJobs;

    @Option(names = "--model", defaultValue = "minilm", description = "Registry name of the base model (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--replot", paramLabel = "RESULTS_JSON",
            description = "Run nothing: rewrite results.md and the plots in --out from an earlier run's results.json.")
    Path replot;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "Run a study in-process with the platform's training and aggregation code instead of the grid: "
                    + "lr (learning-rate search on a validation split), lr-paper (the same search for paper), paper (LoRA "
                    + "on every layer), sweep (one factor "
                    + "at a time), validate (the in-process path against --against). Writes to docs/results/NAME "
                    + "unless --out is given.")
    String preset;

    @Option(names = "--task", defaultValue = "classification", paramLabel = "TASK",
            description = "What is fine-tuned: classification (the encoder, default) or causal-lm (a small Llama-family "
                    + "decoder, pretrained here on Debian's fortunes and cached, fine-tuned with LoRA on every projection "
                    + "to answer 'Gloss: …\\nCategory:' with the data set's category; in-process, the causal-lm preset, "
                    + "results in docs/results/causal-lm unless --out is given; --learning-rate sets every method's rate).")
    String task;

    @Option(names = "--replicate", description = "With --preset: run on the fortunes sample too "
            + "(data/datasets/fortunes-sample.jsonl, built by scripts/build-fortunes-dataset.sh when missing).")
    boolean replicate;

    @Option(names = "--learning-rates",
            description = "With --preset paper, sweep or replicate: the rates the preset's search chose, or 'fixed' for "
                    + "--learning-rate for every method (default: docs/results/lr-paper/lr.json for paper, written "
                    + "by --preset lr-paper; docs/results/lr/lr.json for the others, written by --preset lr).")
    Path learningRates;

    @Option(names = "--budget-minutes", defaultValue = "0",
            description = "With --preset: start no further seed after this many minutes (0: no limit).")
    long budgetMinutes;

    @Option(names = "--preset-seeds", split = ",", paramLabel = "SEED",
            description = "With --preset: these seeds instead of the preset's (to spread a study over processes).")
    List<Long> presetSeeds;

    @Option(names = "--against", defaultValue = "docs/results/results.json",
            description = "With --preset validate: the platform run to compare with (default ${DEFAULT-VALUE}).")
    Path against;

    @Option(names = "--summarise", split = ",", paramLabel = "RESULTS_JSON",
            description = "Run nothing: write study.md (paired 95 %% intervals, FedIT's dropped fraction, accuracy per MB) "
                    + "and gap-vs-dropped.png in --out from earlier runs' results.json. With --preset NAME: merge that "
                    + "preset's results.json files (e.g. of processes run with different --preset-seeds or data sets) "
                    + "setting by setting into docs/results/NAME unless --out is given. With --task causal-lm: merge "
                    + "the causal-LM study's results.json files (e.g. of processes run with different --preset-seeds) "
                    + "into causal-lm.md, study.md and plots (docs/results/causal-lm unless --out is given).")
    List<Path> summarise;

    static final int MAX_LENGTH = 64;
    private static final tools.jackson.databind.json.JsonMapper JSON =
            tools.jackson.databind.json.JsonMapper.builder().build();

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path home = Home.dir();
        if (replot != null) {
            Results.Read read = Results.read(replot);
            Path to = out.isAbsolute() ? out : home.resolve(out);
            Results.write(to, read.settings(), read.runs());
            System.err.printf("%d runs from %s; results in %s%n", read.runs().size(), replot, to);
            return 0;
        }
        if (summarise != null && !summarise.isEmpty()) {
            if (Preset.Task.parse(task) == Preset.Task.CAUSAL_LM) {
                return new Presets(home, System.err).summariseCausalLm(summarise, dataset,
                        out.equals(Path.of("docs/results")) ? out.resolve("causal-lm") : out, learningRate);
            }
            if (preset != null) {
                Preset named = Preset.named(preset);
                return new Presets(home, System.err).summarisePreset(named, summarise,
                        out.equals(Path.of("docs/results")) ? out.resolve(preset) : out, ratesOf(named), learningRate);
            }
            return new Presets(home, System.err).summarise(summarise, out);
        }
        Preset.Task chosenTask = Preset.Task.parse(task);
        if (chosenTask == Preset.Task.CAUSAL_LM && preset == null) {
            preset = "causal-lm";
        }
        if (preset != null) {
            Preset chosen = Preset.named(preset);
            if (chosenTask == Preset.Task.CAUSAL_LM && chosen.task() != Preset.Task.CAUSAL_LM) {
                throw new IllegalArgumentException("--preset " + preset + " is a " + chosen.task().option
                        + " study; --task " + task + " does not match it");
            }
            if (presetSeeds != null && !presetSeeds.isEmpty()) {
                chosen = chosen.withSeeds(presetSeeds);
            }
            return new Presets(home, System.err).run(chosen, dataset, replicate,
                    out.equals(Path.of("docs/results")) ? out.resolve(preset) : out, ratesOf(chosen), learningRate, budgetMinutes,
                    against);
        }
        Path source = dataset.isAbsolute() ? dataset : home.resolve(dataset);
        Path results = out.isAbsolute() ? out : home.resolve(out);
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException(source + ": no such data set");
        }
        List<Example> all = Jsonl.read(source);
        int numLabels = Jsonl.numLabels(all);
        List<List<Example>> poolTest = Partitioner.trainTest(all, testShare, 0);
        List<Example> pool = poolTest.get(0);
        List<Example> test = poolTest.get(1);
        List<Run> runs = plan();
        String datasetName = Shards.datasetName(source);
        List<LocalPlatform.WorkerClient> clients = shards(pool, datasetName, runs);
        PrintStream err = System.err;
        err.printf("%d jobs over %d clients; %d pooled examples, %d test examples, %d labels%n", runs.size(),
                clients.size(), pool.size(), test.size(), numLabels);

        long started = System.nanoTime();
        Map<Run, JobResult> done = new LinkedHashMap<>();
        try (LocalPlatform platform = new LocalPlatform(home, data, LocalPlatform.Ports.DEFAULT, err)) {
            platform.startCore();
            PlatformClient client = new PlatformClient(platform.coordinatorUrl(), platform.registryUrl(),
                    LocalPlatform.DEV_SUBMITTER, LocalPlatform.DEV_REGISTRY_ADMIN);
            client.ensureMiniLm(model, err);
            List<List<LocalPlatform.WorkerClient>> groups = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                groups.add(new ArrayList<>());
            }
            for (int i = 0; i < clients.size(); i++) {
                groups.get(i % workers).add(clients.get(i));
            }
            platform.startWorkers(groups, List.of("--fedex.worker.threads=1", "--fedex.worker.poll-interval=200ms",
                    "--fedex.worker.max-length=" + MAX_LENGTH));
            try (GlobalEvaluator evaluator = new GlobalEvaluator(client, model, data.resolve("eval-base"), test,
                    MAX_LENGTH)) {
                runAll(client, evaluator, runs, datasetName, numLabels, done, err, started);
            }
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - started);
        Settings settings = new Settings(source.getFileName().toString(), pool.size(), test.size(), numLabels, rounds,
                localSteps, centralizedSteps, batchSize, learningRate, alphaPerRank, targets, MAX_LENGTH, workers,
                wall.toSeconds(), Runtime.getRuntime().availableProcessors());
        Results.write(results, settings, done);
        err.printf("%d jobs in %s; results in %s%n", done.size(), elapsed(wall), results);
        return done.values().stream().allMatch(r -> r.state().equals("SUCCEEDED")) ? 0 : 1;
    }

    /** {@code --learning-rates}, or where the search that serves {@code preset} writes its choice. */
    private Path ratesOf(Preset preset) {
        return learningRates != null ? learningRates
                : Path.of("docs/results").resolve(preset.searchedBy()).resolve("lr.json");
    }

    /** What the results record about how they were made. */
    record Settings(String dataset, int poolExamples, int testExamples, int labels, int rounds, int localSteps,
                    int centralizedSteps, int batchSize, double learningRate, double alphaPerRank, List<String> targets,
                    int maxLength, int workers, long wallSeconds, int cores) {
    }

    /** One finished job: its state, wall time and every round's global model. */
    record JobResult(String jobId, String state, String failure, double seconds, List<RoundResult> rounds) {
    }

    /** One aggregated round: the coordinator's metrics and the global model's test figures. */
    record RoundResult(int round, int version, double testAccuracy, double testLoss, double clientAccuracy,
                       double exactnessError, double deviation, long residualBytes, long adapterBytes, JsonNode report) {
    }

    List<Run> plan() {
        List<Run> runs = new ArrayList<>();
        for (long seed : seeds) {
            for (String m : methods) {
                String method = m.toUpperCase(Locale.ROOT);
                if (!Set.of("CENTRALIZED", "FEDEX", "FEDIT", "FFA").contains(method)) {
                    throw new IllegalArgumentException("unknown method '" + m + "': use CENTRALIZED, FEDEX, FEDIT or FFA");
                }
                if (method.equals("CENTRALIZED")) {
                    runs.add(new Run(method, 0, 1, rank, seed));
                    continue;
                }
                for (int n : clientCounts) {
                    for (double a : alphas) {
                        runs.add(new Run(method, a, n, rank, seed));
                    }
                }
                if (extraRank > 0) {
                    String[] s = extraRankSetting.split(":");
                    if (s.length != 2) {
                        throw new IllegalArgumentException("--extra-rank-setting must be ALPHA:CLIENTS, got " + extraRankSetting);
                    }
                    runs.add(new Run(method, Double.parseDouble(s[0]), Integer.parseInt(s[1]), extraRank, seed));
                }
            }
        }
        return runs;
    }

    /** Writes every split the runs need (the pooled data for CENTRALIZED) and returns the clients holding them. */
    private List<LocalPlatform.WorkerClient> shards(List<Example> pool, String datasetName, List<Run> runs)
            throws IOException {
        Path dir = data.resolve("shards");
        Files.createDirectories(dir);
        Set<String> written = new LinkedHashSet<>();
        List<LocalPlatform.WorkerClient> clients = new ArrayList<>();
        for (Run r : runs) {
            if (r.centralized()) {
                if (written.add(Run.POOLED)) {
                    Path file = dir.resolve(Run.POOLED + ".jsonl");
                    Jsonl.write(file, pool);
                    clients.add(new LocalPlatform.WorkerClient(Run.POOLED, datasetName, file));
                }
                continue;
            }
            String prefix = Run.shardPrefix(r.alpha(), r.clients(), r.seed());
            if (written.add(prefix)) {
                Shards.write(pool, dir, prefix, r.clients(), r.alpha(), r.seed()).forEach((id, file) ->
                        clients.add(new LocalPlatform.WorkerClient(id, datasetName, file)));
            }
        }
        return clients;
    }

    private void runAll(PlatformClient client, GlobalEvaluator evaluator, List<Run> runs, String datasetName,
                        int numLabels, Map<Run, JobResult> done, PrintStream err, long started) throws IOException {
        Deque<Run> pending = new ArrayDeque<>(runs);
        Map<Run, String> running = new LinkedHashMap<>();
        Map<Run, Long> startedAt = new LinkedHashMap<>();
        while (!pending.isEmpty() || !running.isEmpty()) {
            while (running.size() < parallelJobs && !pending.isEmpty()) {
                Run r = pending.poll();
                JsonNode job = client.submitJob(request(r, datasetName, numLabels));
                running.put(r, job.path("id").asString());
                startedAt.put(r, System.nanoTime());
            }
            sleep(1000);
            for (var it = running.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                JsonNode job = client.job(e.getValue());
                String state = job.path("state").asString();
                if (!Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(state)) {
                    continue;
                }
                it.remove();
                double seconds = (System.nanoTime() - startedAt.get(e.getKey())) / 1e9;
                JobResult result = collect(client, evaluator, e.getValue(), state,
                        job.path("failureReason").asString(null), seconds);
                done.put(e.getKey(), result);
                RoundResult last = result.rounds().isEmpty() ? null : result.rounds().getLast();
                err.printf("%s  %-28s %-9s test accuracy %s  (%.0f s)%n", progress(done.size(), runs.size(), started),
                        e.getKey().name(), state, last == null ? "-" : String.format(Locale.ROOT, "%.3f", last.testAccuracy()),
                        seconds);
            }
        }
    }

    private JobResult collect(PlatformClient client, GlobalEvaluator evaluator, String jobId, String state,
                              String failure, double seconds) throws IOException {
        List<JsonNode> aggregated = new ArrayList<>();
        client.rounds(jobId).forEach(r -> {
            if (r.path("state").asString().equals("AGGREGATED")) {
                aggregated.add(r);
            }
        });
        aggregated.sort(java.util.Comparator.comparingInt(r -> r.path("number").asInt()));
        List<Integer> versions = aggregated.stream().map(r -> r.path("modelVersion").asInt()).toList();
        List<GlobalEvaluator.RoundModel> models = evaluator.evaluate(versions);
        List<RoundResult> rounds = new ArrayList<>();
        for (int i = 0; i < aggregated.size(); i++) {
            JsonNode r = aggregated.get(i);
            GlobalEvaluator.RoundModel m = models.get(i);
            JsonNode report = m.report().length == 0 ? JsonNodeFactory.instance.nullNode()
                    : JSON.readTree(m.report());
            rounds.add(new RoundResult(r.path("number").asInt(), m.version(), m.accuracy(), m.loss(),
                    r.path("meanAccuracy").asDouble(Double.NaN), r.path("exactnessError").asDouble(Double.NaN),
                    r.path("deviation").asDouble(Double.NaN), m.residualBytes(), m.adapterBytes(), report));
        }
        return new JobResult(jobId, state, failure, seconds, rounds);
    }

    private JsonNode request(Run r, String datasetName, int numLabels) {
        ObjectNode q = JobRequests.job(model, datasetName, r.clientIds(), r.method(), rounds, r.rank(),
                alphaPerRank * r.rank(), targets, learningRate, r.centralized() ? centralizedSteps : localSteps,
                batchSize, r.seed(), numLabels);
        // Jobs wait in line for the workers: no round should close for lack of time.
        q.put("roundDeadline", "PT6H");
        return q;
    }

    private static String progress(int done, int total, long started) {
        int width = 24;
        int filled = total == 0 ? width : done * width / total;
        double elapsed = (System.nanoTime() - started) / 1e9;
        double eta = done == 0 ? 0 : elapsed / done * (total - done);
        return "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total + " "
                + elapsed(Duration.ofSeconds((long) elapsed)) + " (ETA " + elapsed(Duration.ofSeconds((long) eta)) + ")";
    }

    static String elapsed(Duration d) {
        return d.toHours() > 0 ? String.format("%dh%02dm", d.toHours(), d.toMinutesPart())
                : String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
