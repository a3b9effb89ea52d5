package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import dev.fedexlora.core.ref.ModelVersionUri;
import java.io.PrintWriter;
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

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Materialise a version as a Hugging Face checkpoint (the lineage's residuals merged into the"
                + " base, plus the adapter in PEFT layout) and print each file's download link and SHA-256."
                + " 'versions download --export' fetches them.",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class VersionExportCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VERSION", description = "The version to export.")
    String version;

    @Option(names = "--json", description = "Print the registry's JSON.")
    boolean json;

    @Override
    public Integer call() {
        ModelVersionUri ref = VersionRef.parse("VERSION", version);
        JsonNode export = api.client().post(Service.REGISTRY, VersionRef.path(ref) + "/export", null);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(export.toPrettyString());
        } else {
            out.printf(Locale.ROOT, "fedex://models/%s/%d exported:%n", export.path("model").asString(),
                    export.path("version").asInt());
            for (Map.Entry<String, JsonNode> f : export.path("files").properties()) {
                out.printf(Locale.ROOT, "  %-36s %12d bytes  sha256 %s%n    %s%n", f.getKey(),
                        f.getValue().path("size").asLong(), f.getValue().path("sha256").asString(),
                        f.getValue().path("url").asString());
            }
        }
        out.flush();
        return 0;
    }
}
