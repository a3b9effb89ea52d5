package dev.fedexlora.cli.chaos;

import dev.fedexlora.cli.platform.Home;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./fedex chaos}: runs the chaos and abuse suite against a platform it starts on 127.0.0.1 and prints what it
 * did, the figures and each promise. Exit code 0 when every promise held, 3 when any was broken.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Start the platform on free 127.0.0.1 ports and attack it: jobs with workers and the coordinator"
                + " killed and the registry cut off, a hostile request corpus on every endpoint, crafted uploads"
                + " through the worker protocol. Prints the figures and which promises held.",
                "Exit code 0 when every promise held, 3 when one was broken."})
public final class ChaosCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "The small size CI runs (2 workers, 1 job x 2 rounds, 1 coordinator kill).")
    boolean quick;

    @Option(names = "--jobs", description = "Jobs of the fault run (full size: 3).")
    Integer jobs;

    @Option(names = "--rounds", description = "Rounds per job (full size: 3).")
    Integer rounds;

    @Option(names = "--workers", description = "Worker processes, one client each (full size: 3).")
    Integer workers;

    @Option(names = "--time-limit", description = "Time limit of the fault run, ISO-8601 (full size: PT30M).")
    Duration limit;

    @Option(names = "--data", description = "Where the services keep this run's state and logs (default: a new temporary directory).")
    Path data;

    @Option(names = "--dataset", defaultValue = "datasets/wordnet-nouns-sample.jsonl",
            description = "JSONL data the workers split among their clients (default ${DEFAULT-VALUE}).")
    Path dataset;

    @Override
    public Integer call() throws Exception {
        ChaosSuite.Size s = quick ? ChaosSuite.Size.QUICK : ChaosSuite.Size.FULL;
        s = new ChaosSuite.Size(workers != null ? workers : s.workers(), jobs != null ? jobs : s.jobs(),
                rounds != null ? rounds : s.rounds(), s.coordinatorKills(), s.registryOutage(), limit != null ? limit : s.limit());
        if (s.workers() < 1 || s.jobs() < 1 || s.rounds() < 1) {
            throw new IllegalArgumentException("--workers, --jobs and --rounds must be at least 1");
        }
        Path dir = data != null ? data : Files.createTempDirectory("fedex-chaos");
        Path source = dataset.isAbsolute() ? dataset : Home.dir().resolve(dataset);
        System.err.println("chaos run in " + dir + " (service logs in " + dir.resolve("logs") + ")");
        Figures figures = new ChaosSuite(Home.dir(), dir, source, System.err).run(s);
        figures.print(System.out);
        return figures.brokenPromises().isEmpty() ? 0 : 3;
    }
}
