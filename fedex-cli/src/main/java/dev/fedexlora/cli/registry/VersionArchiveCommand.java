package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import dev.fedexlora.core.ref.ModelVersionUri;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "archive", mixinStandardHelpOptions = true,
        description = "Archive a version: hidden from listings and new aliases, never deleted (refused while an alias names it).",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class VersionArchiveCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VERSION", description = "The version.")
    String version;

    @Override
    public Integer call() {
        ModelVersionUri ref = VersionRef.parse("VERSION", version);
        JsonNode v = api.client().post(Service.REGISTRY, VersionRef.path(ref) + "/archive", null);
        spec.commandLine().getOut().println("fedex://models/" + v.path("model").asString() + "/"
                + v.path("version").asInt() + (v.path("archived").asBoolean(false) ? " is archived" : " is not archived"));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
