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
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = "A job and its rounds: state, clients done/expected, mean loss and accuracy, exactness error,"
                + " FedIT deviation, the version each round registered.",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class JobShowCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "JOB", description = "The job id.")
    String id;

    @Option(names = "--json", description = "Print the job, its rounds and tasks as one JSON document.")
    boolean json;

    @Override
    public Integer call() {
        String job = JobIds.check(id);
        PlatformClient client = api.client();
        JsonNode j = client.get(Service.COORDINATOR, "/api/v1/jobs/" + job);
        JsonNode rounds = client.get(Service.COORDINATOR, "/api/v1/jobs/" + job + "/rounds");
        JsonNode tasks = client.get(Service.COORDINATOR, "/api/v1/jobs/" + job + "/tasks");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode all = JsonMapper.builder().build().createObjectNode();
            all.set("job", j);
            all.set("rounds", rounds);
            all.set("tasks", tasks);
            out.println(all.toPrettyString());
            out.flush();
            return 0;
        }
        out.printf(Locale.ROOT, "job       %s%nstate     %s%s%nmethod    %s%nbase      fedex://models/%s/%s%n"
                        + "dataset   %s%nrounds    %d of %d%nversion   %s%n%n", j.path("id").asString(),
                j.path("state").asString(), j.path("failureReason").isString()
                        ? " (" + j.path("failureReason").asString() + ")" : "",
                j.path("method").asString(), j.path("baseModel").path("name").asString(),
                j.path("baseModel").path("version").asString(), j.path("dataset").asString(),
                j.path("currentRound").asInt(), j.path("rounds").asInt(),
                j.path("modelVersion").isNumber() ? "fedex://models/" + j.path("baseModel").path("name").asString()
                        + "/" + j.path("modelVersion").asInt() : "-");
        Map<String, int[]> progress = new HashMap<>();
        for (JsonNode t : tasks) {
            int[] p = progress.computeIfAbsent(t.path("roundId").asString(), k -> new int[2]);
            p[1]++;
            if ("DONE".equals(t.path("state").asString())) {
                p[0]++;
            }
        }
        String row = "%-5s  %-7s  %-10s  %-7s  %-9s  %-9s  %-9s  %-9s  %-7s  %s%n";
        out.printf(Locale.ROOT, row, "round", "attempt", "state", "clients", "loss", "accuracy", "exactness",
                "deviation", "version", "failure");
        for (JsonNode r : rounds) {
            int[] p = progress.getOrDefault(r.path("id").asString(), new int[2]);
            out.printf(Locale.ROOT, row, r.path("number").asString(), r.path("attempt").asString(),
                    r.path("state").asString(), p[0] + "/" + p[1], Fmt.number(r.path("meanLoss")),
                    Fmt.number(r.path("meanAccuracy")), Fmt.number(r.path("exactnessError")),
                    Fmt.number(r.path("deviation")), Fmt.orDash(r.path("modelVersion")),
                    r.path("failureReason").isString() ? r.path("failureReason").asString() : "");
        }
        out.flush();
        return 0;
    }
}
