package dev.fedexlora.cli.platform;

import dev.fedexlora.train.data.Jsonl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code ./fedex demo}: the whole platform on embedded defaults, then one FedEx-LoRA job on MiniLM through the REST
 * API, with progress on stderr and one JSON line on stdout at the end. {@code --task causal-lm} runs the same on a
 * small decoder ({@link CausalLmDemo}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start the platform on embedded defaults (registry, coordinator, one worker per client), "
                + "import all-MiniLM-L6-v2, split the WordNet sample non-IID among the clients, run a federated job "
                + "through the REST API and print its result as one JSON line.",
                "--task causal-lm does the same with a small Llama-layout decoder on prompt/response pairs.",
                "Progress goes to stderr; service logs to <data>/logs."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "data", description = "Where the services keep their state (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--dataset", defaultValue = "datasets/wordnet-nouns-sample.jsonl",
            description = "JSONL data split among the clients (default ${DEFAULT-VALUE}).")
    Path dataset;

    @Option(names = "--clients", defaultValue = "3", description = "Clients, one worker process each (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--dirichlet-alpha", defaultValue = "0.5",
            description = "Non-IID-ness of the split: a Dirichlet draw over labels (default ${DEFAULT-VALUE}).")
    double dirichletAlpha;

    @Option(names = "--method", defaultValue = "FEDEX", description = "FEDEX, FEDIT, FFA or CENTRALIZED (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--task", defaultValue = "classification", paramLabel = "classification|causal-lm",
            description = {"classification (default): MiniLM with a classification head on the WordNet categories.",
                    "causal-lm: a small randomly initialised Llama-layout decoder (./fedex lm init, the real Llama 2"
                            + " tokenizer from scripts/fetch-tokenizers.sh) fine-tuned on prompt/response pairs."})
    String task;

    @Option(names = "--rounds", description = "Federated rounds (default 5; causal-lm 3).")
    Integer rounds;

    @Option(names = "--local-steps", description = "Optimiser steps per client per round (default 25; causal-lm 30).")
    Integer localSteps;

    @Option(names = "--batch-size", description = "Local batch size (default 16; causal-lm 8).")
    Integer batchSize;

    @Option(names = "--rank", description = "LoRA rank (default 4; causal-lm 8).")
    Integer rank;

    @Option(names = "--alpha", description = "LoRA alpha (default 8; causal-lm 16).")
    Double alpha;

    @Option(names = "--learning-rate", description = "Local learning rate (default 5e-3; causal-lm 1e-2).")
    Double learningRate;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the split and the adapters (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--model", description = "Registry name of the base model (default minilm; causal-lm llama-demo).")
    String model;

    @Option(names = "--keep-running", description = "Stay up after the job and print the URLs of the pages and APIs.")
    boolean keepRunning;

    @Option(names = "--bind", paramLabel = "ADDRESS",
            description = "Address every service listens on (default: $SERVER_ADDRESS, else 127.0.0.1, this machine only).")
    String bind;

    @Override
    public Integer call() throws Exception {
        Path home = Home.dir();
        Path source = dataset.isAbsolute() ? dataset : home.resolve(dataset);
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException(source + ": no such data set");
        }
        boolean lm = switch (task.toLowerCase(java.util.Locale.ROOT)) {
            case "classification" -> false;
            case "causal-lm" -> true;
            default -> throw new IllegalArgumentException("--task must be classification or causal-lm, got " + task);
        };
        if (lm) {
            if (method.equalsIgnoreCase("CENTRALIZED")) {
                throw new IllegalArgumentException("--task causal-lm runs FEDEX, FEDIT or FFA");
            }
            return new CausalLmDemo(home, data, new CausalLmDemo.Settings(or(model, "llama-demo"), clients, method,
                    or(rounds, 3), or(localSteps, 30), or(batchSize, 8), or(rank, 8), or(alpha, 16.0),
                    or(learningRate, 1e-2), seed, source, bind, keepRunning)).run();
        }
        model = or(model, "minilm");
        rounds = or(rounds, 5);
        localSteps = or(localSteps, 25);
        batchSize = or(batchSize, 16);
        rank = or(rank, 4);
        alpha = or(alpha, 8.0);
        learningRate = or(learningRate, 5e-3);
        boolean centralized = method.equalsIgnoreCase("CENTRALIZED");
        try (LocalPlatform platform = new LocalPlatform(home, data, LocalPlatform.Ports.DEFAULT, System.err, bind)) {
            platform.startCore();
            PlatformClient client = new PlatformClient(platform.coordinatorUrl(), platform.registryUrl(),
                    LocalPlatform.DEV_SUBMITTER, LocalPlatform.DEV_REGISTRY_ADMIN);
            client.ensureMiniLm(model, System.err);

            String datasetName = Shards.datasetName(source);
            Map<String, Path> shards = centralized
                    ? Map.of("pooled", source)
                    : Shards.write(source, data.resolve("shards").resolve(datasetName), clients, dirichletAlpha, seed);
            platform.startWorkers(shards.entrySet().stream()
                    .map(e -> new LocalPlatform.WorkerClient(e.getKey(), datasetName, e.getValue())).toList());
            int numLabels = Jsonl.numLabels(Jsonl.read(source));
            JsonNode job = client.submitJob(request(datasetName, new ArrayList<>(shards.keySet()), numLabels));
            String id = job.path("id").asString();
            System.err.println("submitted job " + id + " to " + platform.coordinatorUrl());
            JsonNode ended = new JobWatcher(client, System.err, System.console() != null).watch(id);
            ObjectNode summary = JobSummary.of(client, ended);
            System.out.println(summary.toString());
            System.out.flush();
            if (keepRunning) {
                Urls.print(platform, System.err);
                System.err.println("version page: " + platform.registryUrl() + "/models/" + model + "/versions/"
                        + summary.path("modelVersion").asString());
                System.err.println("the platform keeps running; Ctrl-C stops it");
                platform.supervise(true);
            }
            return "SUCCEEDED".equals(summary.path("status").asString()) ? 0 : 1;
        }
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }

    private JsonNode request(String datasetName, List<String> clientIds, int numLabels) {
        return JobRequests.job(model, datasetName, clientIds, method.toUpperCase(java.util.Locale.ROOT), rounds, rank,
                alpha, List.of("query", "value"), learningRate, localSteps, batchSize, seed, numLabels);
    }
}
