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

@Command(name = "show", mixinStandardHelpOptions = true,
        description = "A version: source, method, metrics, notes, lineage and artifacts.",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class VersionShowCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "VERSION", description = "fedex://models/NAME@ALIAS, fedex://models/NAME/N, NAME@ALIAS"
            + " or NAME/N.")
    String version;

    @Option(names = "--json", description = "Print the registry's JSON.")
    boolean json;

    @Override
    public Integer call() {
        ModelVersionUri ref = VersionRef.parse("VERSION", version);
        JsonNode v = api.client().get(Service.REGISTRY, VersionRef.path(ref));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(v.toPrettyString());
            out.flush();
            return 0;
        }
        JsonNode source = v.path("source");
        out.printf(Locale.ROOT, "fedex://models/%s/%d%s%s%n", v.path("model").asString(), v.path("version").asInt(),
                aliases(v), v.path("archived").asBoolean(false) ? "  (archived)" : "");
        out.printf(Locale.ROOT, "  parent      %s%n", v.path("parentVersion").asString("-"));
        out.printf(Locale.ROOT, "  source      %s%n", source.hasNonNull("jobId")
                ? "job " + source.path("jobId").asString() + ", round " + source.path("round").asInt()
                : source.path("kind").asString("-").toLowerCase(Locale.ROOT));
        out.printf(Locale.ROOT, "  method      %s%n", v.path("method").asString("base"));
        out.printf(Locale.ROOT, "  exactness   %s%n", v.path("exactnessError").isNumber()
                ? String.format(Locale.ROOT, "%.3e", v.path("exactnessError").asDouble()) : "-");
        out.printf(Locale.ROOT, "  created     %s%n", v.path("createdAt").asString(""));
        if (v.hasNonNull("description")) {
            out.printf(Locale.ROOT, "  description %s%n", v.path("description").asString());
        }
        if (!v.path("tags").isEmpty()) {
            out.printf(Locale.ROOT, "  tags        %s%n",
                    String.join(", ", v.path("tags").valueStream().map(JsonNode::asString).toList()));
        }
        for (Map.Entry<String, JsonNode> m : v.path("metrics").properties()) {
            out.printf(Locale.ROOT, "  %-11s %s%n", m.getKey(), m.getValue().asString());
        }
        out.printf(Locale.ROOT, "  lineage     %s%n", String.join(" ← ", v.path("lineage").valueStream()
                .map(l -> l.path("version").asString()).toList()));
        for (JsonNode a : v.path("artifacts")) {
            out.printf(Locale.ROOT, "  artifact    %-28s %12d bytes  sha256 %s%n", a.path("file").asString(),
                    a.path("size").asLong(), a.path("sha256").asString());
        }
        out.flush();
        return 0;
    }

    private static String aliases(JsonNode v) {
        String names = String.join(", ", v.path("aliases").valueStream().map(JsonNode::asString).toList());
        return names.isEmpty() ? "" : "  [" + names + "]";
    }
}
