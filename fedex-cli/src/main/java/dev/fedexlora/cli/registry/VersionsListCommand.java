package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code ./fedex versions list MODEL}: the model's versions in the registry, newest first. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List a model's versions, newest first.",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class VersionsListCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Parameters(paramLabel = "MODEL", description = "The registered model name.")
    String model;

    @Option(names = "--json", description = "Print the registry's answer as JSON instead of a table.")
    boolean json;

    @Option(names = "--size", defaultValue = "50", description = "Versions per page (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--page", defaultValue = "0", description = "Page, from 0 (default ${DEFAULT-VALUE}).")
    int page;

    @Option(names = "--archived", description = "Include archived versions.")
    boolean archived;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        java.io.PrintWriter out = spec.commandLine().getOut();
        VersionRef.parse("MODEL", model + "@latest");
        JsonNode versions = api.client().get(Service.REGISTRY, "/api/v1/models/" + model + "/versions?page=" + page
                + "&size=" + size + (archived ? "&archived=true" : ""));
        if (json) {
            out.println(versions.toPrettyString());
            out.flush();
            return 0;
        }
        out.printf(Locale.ROOT, "%-8s %-7s %-7s %-44s %-10s %-20s %s%n", "version", "parent", "method",
                "source", "exactness", "aliases", "created");
        for (JsonNode v : versions.path("items")) {
            JsonNode source = v.path("source");
            String from = source.hasNonNull("jobId")
                    ? "job " + source.path("jobId").asString() + " round " + source.path("round").asString()
                    : source.path("kind").asString("-").toLowerCase(Locale.ROOT);
            JsonNode error = v.path("exactnessError");
            out.printf(Locale.ROOT, "%-8s %-7s %-7s %-44s %-10s %-20s %s%n", v.path("version").asString(),
                    v.path("parentVersion").asString("-"), v.path("method").asString("-"), from,
                    error.isNumber() ? String.format(Locale.ROOT, "%.1e", error.asDouble()) : "-",
                    String.join(",", v.path("aliases").valueStream().map(JsonNode::asString).toList())
                            + (v.path("archived").asBoolean(false) ? " (archived)" : ""),
                    v.path("createdAt").asString(""));
        }
        out.printf(Locale.ROOT, "page %d of %d, %d versions%n", versions.path("page").asInt(),
                versions.path("totalPages").asInt(), versions.path("totalItems").asLong());
        out.flush();
        return 0;
    }
}
