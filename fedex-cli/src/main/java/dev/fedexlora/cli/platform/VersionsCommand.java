package dev.fedexlora.cli.platform;

import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code ./fedex versions MODEL}: the model's versions in the registry, newest first. */
@Command(name = "versions", mixinStandardHelpOptions = true, description = "List a model's versions in the registry.")
public final class VersionsCommand implements Callable<Integer> {

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

    @Override
    public Integer call() {
        JsonNode versions = api.client().versions(model, page, size);
        if (json) {
            System.out.println(versions.toPrettyString());
            return 0;
        }
        System.out.printf(Locale.ROOT, "%-8s %-7s %-7s %-44s %-10s %-20s %s%n", "version", "parent", "method",
                "source", "exactness", "aliases", "created");
        for (JsonNode v : versions.path("items")) {
            JsonNode source = v.path("source");
            String from = source.hasNonNull("jobId")
                    ? "job " + source.path("jobId").asString() + " round " + source.path("round").asString()
                    : source.path("kind").asString("-").toLowerCase(Locale.ROOT);
            JsonNode error = v.path("exactnessError");
            System.out.printf(Locale.ROOT, "%-8s %-7s %-7s %-44s %-10s %-20s %s%n", v.path("version").asString(),
                    v.path("parentVersion").asString("-"), v.path("method").asString("-"), from,
                    error.isNumber() ? String.format(Locale.ROOT, "%.1e", error.asDouble()) : "-",
                    String.join(",", v.path("aliases").valueStream().map(JsonNode::asString).toList()),
                    v.path("createdAt").asString(""));
        }
        System.out.printf(Locale.ROOT, "page %d of %d, %d versions%n", versions.path("page").asInt(),
                versions.path("totalPages").asInt(), versions.path("totalItems").asLong());
        return 0;
    }
}
