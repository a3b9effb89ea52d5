package dev.fedexlora.cli.train;

import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Jsonl;
import dev.fedexlora.train.data.Partitioner;
import dev.fedexlora.train.model.BertClassifier;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.model.TextEncoder;
import dev.fedexlora.train.training.LocalTrainer;
import dev.fedexlora.train.training.TrainingConfig;
import dev.fedexlora.train.training.TrainingReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./fedex train}: trains one client on its shard of a JSONL data set locally, without any service, the way a
 * worker would (same partition, same held-out split for the same client id, same trainer), or every shard pooled
 * as the centralised baseline. Progress goes to stderr, the summary to stdout, the adapter (PEFT layout, head
 * included) and {@code report.json} to {@code --out}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune LoRA adapters and a classification head on a JSONL data set ({\"text\", \"label\"} "
                + "per line), locally, with no services.",
                "With --clients N the data is partitioned as a worker partitions it; --client i trains shard i, "
                        + "leaving --client out trains on all shards pooled (the centralised baseline)."})
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Training data.")
    Path data;

    @Option(names = "--model", paramLabel = "DIR", description = "A Hugging Face BERT/RoBERTa directory (config.json, "
            + "model.safetensors, tokenizer.json). Default: the bundled all-MiniLM-L6-v2.")
    Path model;

    @Option(names = "--clients", defaultValue = "0", paramLabel = "N", description = "Partition into N client shards (0: no partition).")
    int clients;

    @Option(names = "--client", paramLabel = "I", description = "Train shard I (0-based) only; left out: all shards pooled.")
    Integer client;

    @Option(names = "--partition", defaultValue = "dirichlet", paramLabel = "iid|by-label|dirichlet",
            description = "How the shards are drawn (default: ${DEFAULT-VALUE}).")
    String partition;

    @Option(names = "--dirichlet-alpha", defaultValue = "0.5", paramLabel = "A", description = "Dirichlet concentration (default: ${DEFAULT-VALUE}).")
    double dirichletAlpha;

    @Option(names = "--partition-seed", defaultValue = "42", paramLabel = "SEED", description = "Partition seed (default: ${DEFAULT-VALUE}).")
    long partitionSeed;

    @Option(names = "--client-prefix", defaultValue = "client-", paramLabel = "P",
            description = "Client ids are P0, P1, …; a client's held-out split is seeded by its id, as on a worker (default: ${DEFAULT-VALUE}).")
    String clientPrefix;

    @Option(names = "--held-out", defaultValue = "0.1", paramLabel = "F", description = "Share held out for evaluation (default: ${DEFAULT-VALUE}).")
    double heldOut;

    @Option(names = "--rank", defaultValue = "8", paramLabel = "R", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--lora-alpha", defaultValue = "16", paramLabel = "A", description = "lora_alpha (default: ${DEFAULT-VALUE}).")
    double loraAlpha;

    @Option(names = "--rslora", description = "Rank-stabilised scale alpha/sqrt(r).")
    boolean rslora;

    @Option(names = "--targets", split = ",", defaultValue = "query,value", paramLabel = "M",
            description = "Linear modules to adapt (default: ${DEFAULT-VALUE}).")
    List<String> targets;

    @Option(names = "--ffa", description = "FFA-LoRA: A frozen at its initialisation, only B and the head train.")
    boolean ffa;

    @Option(names = "--cache-frozen-layers", description = "With --targets above layer 0: run the frozen lower layers "
            + "once per example (without dropout) and train from their cached output.")
    boolean cacheFrozenLayers;

    @Option(names = "--lr", defaultValue = "5e-4", paramLabel = "LR", description = "Peak learning rate of AdamW (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "B", description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--steps", defaultValue = "0", paramLabel = "S", description = "Optimizer steps (0: --epochs decides).")
    int steps;

    @Option(names = "--epochs", defaultValue = "1", paramLabel = "E", description = "Passes over the data when --steps is 0 (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--warmup", defaultValue = "0.06", paramLabel = "F", description = "Warmup share of the steps (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "WD", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", paramLabel = "N", description = "Gradient clipping norm, 0 for none (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--max-length", defaultValue = "64", paramLabel = "T", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--num-labels", paramLabel = "K", description = "Classes of the head (default: one more than the largest label in --data).")
    Integer numLabels;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED", description = "Initialisation and batch-order seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "N", description = "libtorch threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--out", paramLabel = "DIR", description = "Write the adapter (PEFT layout) and report.json here.")
    Path out;

    @Option(names = "--no-progress", description = "No progress bar on stderr.")
    boolean noProgress;

    /** What {@code --data} and the partition options select. */
    record Selection(String description, List<Example> train, List<Example> heldOut, int numLabels) {
    }

    @Override
    public Integer call() throws Exception {
        Selection selection = select();
        LoraSettings lora;
        TrainingConfig config;
        try {
            lora = new LoraSettings(rank, loraAlpha, rslora, targets, ffa);
            config = new TrainingConfig(learningRate, batchSize, steps, epochs, warmup, weightDecay, maxGradNorm,
                    maxLength, seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Engines.useThreads(threads);
        Path modelDir = model != null ? model : BundledModels.miniLm();
        HfCheckpoint checkpoint = HfCheckpoint.load(modelDir);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int total = config.totalSteps(selection.train().size());
        out.printf(Locale.ROOT, "Training %s: %d examples, %d held out, %d labels, %d steps of %d on %s%n",
                selection.description(), selection.train().size(), selection.heldOut().size(), selection.numLabels(),
                total, batchSize, modelDir);
        out.flush();
        TrainingReport report;
        ProgressBar bar = new ProgressBar(err, !noProgress);
        try (TextEncoder encoder = new TextEncoder(checkpoint.tokenizer(), maxLength, checkpoint.config().padTokenId());
             BertClassifier classifier = BertClassifier.create(BertClassifier.preferredDevice(), checkpoint, lora,
                     selection.numLabels(), null, seed)) {
            report = LocalTrainer.train(classifier, encoder, selection.train(), selection.heldOut(), config, bar,
                    cacheFrozenLayers ? new dev.fedexlora.train.training.FrozenFeatureCache(Long.MAX_VALUE) : null);
            bar.done();
            if (this.out != null) {
                PeftAdapters.write(this.out, classifier.toAdapter(modelDir.toString()));
            }
        }
        out.printf(Locale.ROOT, "steps %d, train loss %.4f (last %.4f)%n", report.steps(), report.trainLoss(),
                report.finalLoss());
        if (report.eval().examples() > 0) {
            out.printf(Locale.ROOT, "held-out loss %.4f, accuracy %.4f on %d examples%n", report.eval().loss(),
                    report.eval().accuracy(), report.eval().examples());
        }
        out.printf(Locale.ROOT, "%.1f examples/s, %.0f tokens/s over %.1f s of training%n", report.examplesPerSecond(),
                report.tokensPerSecond(), report.seconds());
        if (this.out != null) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("data", data.toString());
            json.put("selection", selection.description());
            json.put("examples", report.examples());
            json.put("metrics", report.metrics());
            Files.writeString(this.out.resolve("report.json"), JsonMapper.builder()
                    .enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(json));
            out.println("Adapter written to " + this.out);
        }
        out.flush();
        return 0;
    }

    Selection select() throws java.io.IOException {
        if (clients < 0) {
            throw new ParameterException(spec.commandLine(), "--clients must not be negative");
        }
        if (client != null && (clients == 0 || client < 0 || client >= clients)) {
            throw new ParameterException(spec.commandLine(), clients == 0 ? "--client needs --clients"
                    : "--client must be in [0, " + clients + "), got " + client);
        }
        if (heldOut < 0 || heldOut >= 1) {
            throw new ParameterException(spec.commandLine(), "--held-out must be in [0, 1), got " + heldOut);
        }
        Partitioner.Strategy strategy;
        try {
            strategy = Partitioner.Strategy.parse(partition);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(),
                    "--partition must be iid, by-label or dirichlet, not '" + partition + "'");
        }
        List<Example> all = Jsonl.read(data);
        if (all.isEmpty()) {
            throw new IllegalArgumentException(data + ": no examples");
        }
        int labels = numLabels != null ? numLabels : Jsonl.numLabels(all);
        if (clients == 0) {
            List<List<Example>> split = Partitioner.trainTest(all, heldOut, seed);
            return new Selection(data.getFileName().toString(), split.get(0), split.get(1), labels);
        }
        List<List<Example>> shards = Partitioner.split(all, clients, strategy, dirichletAlpha, partitionSeed);
        List<Example> train = new ArrayList<>();
        List<Example> test = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            if (client == null || client == i) {
                // The split a worker makes of this client's shard (LocalClients): seeded by the client id.
                String id = clientPrefix + i;
                List<List<Example>> split = Partitioner.trainTest(shards.get(i), heldOut, id.hashCode());
                train.addAll(split.get(0));
                test.addAll(split.get(1));
            }
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException("shard " + client + " of " + clients + " holds no training examples");
        }
        String what = client == null ? "all " + clients + " shards pooled (centralised)"
                : "client " + clientPrefix + client + " (" + strategy.name().toLowerCase(Locale.ROOT) + " shard "
                        + client + " of " + clients + ")";
        return new Selection(what, train, test, labels);
    }
}
