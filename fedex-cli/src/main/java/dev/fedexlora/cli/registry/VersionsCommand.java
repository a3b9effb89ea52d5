package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import dev.fedexlora.core.ref.ModelVersionUri;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code ./fedex versions list|show|compare|export|download|describe|archive|unarchive}: a model's versions.
 * A version is named {@code fedex://models/NAME@ALIAS}, {@code fedex://models/NAME/VERSION}, {@code NAME@ALIAS}
 * or {@code NAME/VERSION}.
 */
@Command(name = "versions", mixinStandardHelpOptions = true,
        description = "A model's versions: list, show, compare two, export and download, describe, archive."
                + " VERSION is fedex://models/NAME@ALIAS, fedex://models/NAME/N, NAME@ALIAS or NAME/N.",
        subcommands = {VersionsListCommand.class, VersionShowCommand.class, VersionCompareCommand.class,
                VersionExportCommand.class, VersionDownloadCommand.class, VersionDescribeCommand.class},
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
public final class VersionsCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "archive", mixinStandardHelpOptions = true,
            description = "Archive a version: hidden from listings and new aliases, never deleted (refused while an"
                    + " alias names it).",
            exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
    int archive(@Mixin ApiOptions api, @Parameters(paramLabel = "VERSION", description = "The version.") String version) {
        return mark(api, version, "archive");
    }

    @Command(name = "unarchive", mixinStandardHelpOptions = true, description = "Show an archived version again.",
            exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
    int unarchive(@Mixin ApiOptions api,
                  @Parameters(paramLabel = "VERSION", description = "The version.") String version) {
        return mark(api, version, "unarchive");
    }

    private int mark(ApiOptions api, String version, String action) {
        ModelVersionUri ref = VersionRef.parse("VERSION", version);
        JsonNode v = api.client().post(Service.REGISTRY, VersionRef.path(ref) + "/" + action, null);
        spec.commandLine().getOut().println("fedex://models/" + v.path("model").asString() + "/"
                + v.path("version").asInt() + (v.path("archived").asBoolean(false) ? " is archived" : " is not archived"));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
