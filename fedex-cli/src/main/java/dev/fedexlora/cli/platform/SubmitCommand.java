package dev.fedexlora.cli.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code ./fedex submit JOB.json [--watch]}: submits a job to the coordinator and optionally follows it. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Submit a federated fine-tuning job (a JobRequest as JSON, see docs/api.md) to the coordinator.")
public final class SubmitCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Parameters(paramLabel = "JOB.json", description = "The job request.")
    Path file;

    @Option(names = "--watch", description = "Follow the job until it ends, with progress; exit 0 only if it succeeded.")
    boolean watch;

    @Override
    public Integer call() throws IOException {
        JsonNode request;
        try {
            request = JsonMapper.builder().build().readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        PlatformClient client = api.client();
        JsonNode job = client.submitJob(request);
        String id = job.path("id").asString();
        if (!watch) {
            System.out.println(job.toPrettyString());
            return 0;
        }
        System.err.println("submitted job " + id);
        return WatchCommand.follow(client, id);
    }
}
