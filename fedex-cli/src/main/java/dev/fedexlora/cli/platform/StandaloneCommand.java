package dev.fedexlora.cli.platform;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./fedex standalone}: the registry and the coordinator on embedded defaults (embedded PostgreSQL, an
 * in-process S3 endpoint with its store under {@code ./data}), nothing submitted, until Ctrl-C. Workers join with
 * {@code ./fedex demo}-style settings or from another machine.
 */
@Command(name = "standalone", mixinStandardHelpOptions = true,
        description = "Start the registry and coordinator on embedded defaults and keep them running (Ctrl-C stops).")
public final class StandaloneCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "data", description = "Where the services keep their state (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--workers", defaultValue = "0",
            description = "Also start this many workers, each hosting one shard of --dataset (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--restart-workers", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Start a worker that exits again (at most 5 times); the other services keep running "
                    + "either way (default ${DEFAULT-VALUE}).")
    boolean restartWorkers;

    @Option(names = "--dataset", defaultValue = "datasets/wordnet-nouns-sample.jsonl",
            description = "JSONL data the workers split among their clients (default ${DEFAULT-VALUE}).")
    Path dataset;

    @Option(names = "--bind", paramLabel = "ADDRESS",
            description = "Address every service listens on (default: $SERVER_ADDRESS, else 127.0.0.1, this machine only).")
    String bind;

    @Override
    public Integer call() throws Exception {
        try (LocalPlatform platform = new LocalPlatform(Home.dir(), data, LocalPlatform.Ports.DEFAULT, System.out, bind)) {
            platform.startCore();
            if (workers > 0) {
                Path source = dataset.isAbsolute() ? dataset : Home.dir().resolve(dataset);
                String name = Shards.datasetName(source);
                platform.startWorkers(Shards.write(source, data.resolve("shards").resolve(name), workers, 0.5, 42)
                        .entrySet().stream().map(e -> new LocalPlatform.WorkerClient(e.getKey(), name, e.getValue()))
                        .toList());
            }
            Urls.print(platform, System.out);
            System.out.println("the platform is running; Ctrl-C stops it");
            platform.supervise(restartWorkers);
            return 1;
        }
    }
}
