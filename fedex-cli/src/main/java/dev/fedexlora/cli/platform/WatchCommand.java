package dev.fedexlora.cli.platform;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code ./fedex watch JOB}: follows a job's events with a progress bar until it ends, then prints its summary. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Follow a job until it ends: a progress bar per round, accuracy per round, then one JSON line.")
public final class WatchCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Parameters(paramLabel = "JOB", description = "The job id.")
    String jobId;

    @Override
    public Integer call() {
        return follow(api.client(), jobId);
    }

    /** Watches to the end, prints the summary line on stdout; 0 when the job succeeded, 1 otherwise. */
    static int follow(PlatformClient client, String jobId) {
        JsonNode job = new JobWatcher(client, System.err, System.console() != null).watch(jobId);
        JsonNode summary = JobSummary.of(client, job);
        System.out.println(summary.toString());
        return "SUCCEEDED".equals(job.path("state").asString()) ? 0 : 1;
    }
}
