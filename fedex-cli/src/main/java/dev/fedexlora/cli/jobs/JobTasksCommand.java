package dev.fedexlora.cli.jobs;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "tasks", mixinStandardHelpOptions = true,
        description = "A job's tasks: round, client, state, attempts, examples, metrics and failure reasons.",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class JobTasksCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "JOB", description = "The job id.")
    String id;

    @Option(names = "--failed", description = "Only tasks that failed, with their reasons.")
    boolean failed;

    @Option(names = "--json", description = "Print the coordinator's JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        String job = JobIds.check(id);
        PlatformClient client = api.client();
        JsonNode tasks = client.get(Service.COORDINATOR, "/api/v1/jobs/" + job + "/tasks");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(tasks.toPrettyString());
            out.flush();
            return 0;
        }
        Map<String, String> roundOf = new HashMap<>();
        for (JsonNode r : client.get(Service.COORDINATOR, "/api/v1/jobs/" + job + "/rounds")) {
            roundOf.put(r.path("id").asString(), r.path("number").asString() + "." + r.path("attempt").asString());
        }
        String row = "%-6s  %-20s  %-9s  %-8s  %-8s  %-9s  %-9s  %s%n";
        out.printf(Locale.ROOT, row, "round", "client", "state", "attempts", "examples", "loss", "accuracy",
                "failure reason");
        int shown = 0;
        for (JsonNode t : tasks) {
            if (failed && !"FAILED".equals(t.path("state").asString())) {
                continue;
            }
            shown++;
            out.printf(Locale.ROOT, row, roundOf.getOrDefault(t.path("roundId").asString(), "?"),
                    t.path("clientId").asString(), t.path("state").asString(), t.path("attempts").asString(),
                    Fmt.orDash(t.path("examples")), Fmt.number(t.path("metrics").path("loss")),
                    Fmt.number(t.path("metrics").path("accuracy")),
                    t.path("failureReason").isString() ? t.path("failureReason").asString() : "");
        }
        out.printf(Locale.ROOT, "%d task%s (round.attempt)%n", shown, shown == 1 ? "" : "s");
        out.flush();
        return 0;
    }
}
