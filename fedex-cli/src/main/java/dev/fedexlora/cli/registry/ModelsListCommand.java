package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "list", mixinStandardHelpOptions = true, description = "Models by name, with latest version and tags.",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class ModelsListCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Option(names = {"-q", "--query"}, paramLabel = "TEXT", description = "Only models whose name, architecture or a"
            + " tag contains TEXT.")
    String query;

    @Option(names = "--size", defaultValue = "50", description = "Models per page, 1 to 200 (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--page", defaultValue = "0", description = "Page, from 0 (default ${DEFAULT-VALUE}).")
    int page;

    @Option(names = "--json", description = "Print the registry's JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        String q = query == null ? "" : "&q=" + URLEncoder.encode(query, StandardCharsets.UTF_8);
        JsonNode models = api.client().get(Service.REGISTRY, "/api/v1/models?page=" + page + "&size=" + size + q);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(models.toPrettyString());
        } else {
            String row = "%-28s  %-24s  %-8s  %-8s  %s%n";
            out.printf(Locale.ROOT, row, "model", "architecture", "versions", "latest", "tags");
            for (JsonNode m : models.path("items")) {
                out.printf(Locale.ROOT, row, m.path("name").asString(), m.path("architecture").asString(),
                        m.path("versionCount").asString(), m.path("latestVersion").asString(),
                        String.join(",", m.path("tags").valueStream().map(JsonNode::asString).toList()));
            }
            out.printf(Locale.ROOT, "page %d of %d, %d models%n", models.path("page").asInt() + 1,
                    Math.max(1, models.path("totalPages").asInt()), models.path("totalItems").asLong());
        }
        out.flush();
        return 0;
    }
}
