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
 * API, with progress on stderr and one JSON line on stdout at the end.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start the platform on embedded defaults (registry, coordinator, one worker per client), "
                + "import all-MiniLM-L6-v2, split the WordNet sample non-IID among the clients, run a federated job "
                + "through the REST API and print its result as one JSON line.",
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

    @Option(names = "--rounds", defaultValue = "5", description = "Federated rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--local-steps", defaultValue = "25", description = "Optimiser steps per client per round (default ${DEFAULT-VALUE}).")
    int localSteps;

    @Option(names = "--batch-size", defaultValue = "16", description = "Local batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--rank", defaultValue = "4", description = "LoRA rank (default ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--alpha", defaultValue = "8", description = "LoRA alpha (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--learning-rate", defaultValue = "5e-3", description = "Local learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the split and the adapters (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--model", defaultValue = "minilm", description = "Registry name of the base model (default ${DEFAULT-VALUE}).")
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

    private JsonNode request(String datasetName, List<String> clientIds, int numLabels) {
        return JobRequests.job(model, datasetName, clientIds, method.toUpperCase(java.util.Locale.ROOT), rounds, rank,
                alpha, List.of("query", "value"), learningRate, localSteps, batchSize, seed, numLabels);
    }
}
