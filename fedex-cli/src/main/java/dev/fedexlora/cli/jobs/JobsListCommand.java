package dev.fedexlora.cli.jobs;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "list", mixinStandardHelpOptions = true, description = "Jobs, newest first.",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class JobsListCommand implements Callable<Integer> {

    enum State { RUNNING, SUCCEEDED, FAILED, CANCELLED }

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Option(names = "--state", paramLabel = "STATE", description = "Only jobs in this state: ${COMPLETION-CANDIDATES}.")
    State state;

    @Option(names = "--json", description = "Print the coordinator's JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode jobs = api.client().get(Service.COORDINATOR, "/api/v1/jobs" + (state == null ? "" : "?state=" + state));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(jobs.toPrettyString());
        } else {
            table(jobs, out);
        }
        out.flush();
        return 0;
    }

    static void table(JsonNode jobs, PrintWriter out) {
        String row = "%-36s  %-9s  %-11s  %-20s  %-16s  %-7s  %-7s  %s%n";
        out.printf(Locale.ROOT, row, "job", "state", "method", "base model", "dataset", "round", "version", "created");
        for (JsonNode j : jobs) {
            out.printf(Locale.ROOT, row, j.path("id").asString(), j.path("state").asString(),
                    j.path("method").asString(), j.path("baseModel").path("name").asString() + "/"
                            + j.path("baseModel").path("version").asString(),
                    j.path("dataset").asString(), j.path("currentRound").asInt() + "/" + j.path("rounds").asInt(),
                    Fmt.orDash(j.path("modelVersion")), j.path("createdAt").asString(""));
        }
        out.printf(Locale.ROOT, "%d job%s%n", jobs.size(), jobs.size() == 1 ? "" : "s");
    }
}
