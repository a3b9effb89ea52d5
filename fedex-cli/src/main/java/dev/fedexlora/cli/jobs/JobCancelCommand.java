package dev.fedexlora.cli.jobs;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a running job (needs a submitter token); its open round and unfinished tasks end.",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class JobCancelCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "JOB", description = "The job id.")
    String id;

    @Override
    public Integer call() {
        JsonNode job = api.client().post(Service.COORDINATOR, "/api/v1/jobs/" + JobIds.check(id) + "/cancel", null);
        spec.commandLine().getOut().println("job " + job.path("id").asString() + " is " + job.path("state").asString()
                + (job.path("failureReason").isString() ? " (" + job.path("failureReason").asString() + ")" : ""));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
