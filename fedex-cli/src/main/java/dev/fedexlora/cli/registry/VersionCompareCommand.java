package dev.fedexlora.cli.registry;

import dev.fedexlora.cli.ExitCodes;
import dev.fedexlora.cli.platform.ApiOptions;
import dev.fedexlora.cli.platform.PlatformClient.Service;
import dev.fedexlora.core.ref.ModelVersionUri;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Two versions of one model side by side: metrics with their difference, per-layer exactness"
                + " error and deviation, lineages and their newest common ancestor.",
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE})
final class VersionCompareCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "V1", description = "The first version (a full reference).")
    String first;

    @Parameters(index = "1", paramLabel = "V2", description = "The second version: a full reference, or a number or"
            + " alias of V1's model.")
    String second;

    @Option(names = "--json", description = "Print the registry's JSON.")
    boolean json;

    @Override
    public Integer call() {
        ModelVersionUri a = VersionRef.parse("V1", first);
        ModelVersionUri b = VersionRef.sibling("V2", second, a);
        JsonNode c = api.client().get(Service.REGISTRY, "/api/v1/models/" + a.name() + "/compare?a=" + a.version()
                + "&b=" + b.version());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(c.toPrettyString());
            out.flush();
            return 0;
        }
        int va = c.path("a").path("version").asInt();
        int vb = c.path("b").path("version").asInt();
        out.printf(Locale.ROOT, "%s: version %d and version %d, common ancestor %d%n", c.path("model").asString(), va,
                vb, c.path("commonAncestor").asInt());
        out.printf(Locale.ROOT, "  lineage %d: %s%n", va, lineage(c.path("a")));
        out.printf(Locale.ROOT, "  lineage %d: %s%n%n", vb, lineage(c.path("b")));
        String row = "%-20s  %14s  %14s  %14s%n";
        out.printf(Locale.ROOT, row, "metric", "v" + va, "v" + vb, "difference");
        for (JsonNode m : c.path("metrics")) {
            out.printf(Locale.ROOT, row, m.path("name").asString(), value(m.path("a")), value(m.path("b")),
                    value(m.path("delta")));
        }
        if (!c.path("layers").isEmpty()) {
            String layer = "%-48s  %11s  %11s  %11s  %11s%n";
            out.printf(Locale.ROOT, "%n" + layer, "layer", "exact v" + va, "exact v" + vb, "dev v" + va, "dev v" + vb);
            for (JsonNode l : c.path("layers")) {
                out.printf(Locale.ROOT, layer, l.path("module").asString(), value(l.path("exactnessErrorA")),
                        value(l.path("exactnessErrorB")), value(l.path("deviationA")), value(l.path("deviationB")));
            }
        }
        out.flush();
        return 0;
    }

    private static String lineage(JsonNode v) {
        return String.join(" ← ", v.path("lineage").valueStream().map(l -> l.path("version").asString()).toList());
    }

    private static String value(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return "-";
        }
        if (v.isIntegralNumber()) {
            return v.asString();
        }
        if (v.isNumber()) {
            double d = v.asDouble();
            return d != 0 && Math.abs(d) < 1e-3 ? String.format(Locale.ROOT, "%.3e", d)
                    : String.format(Locale.ROOT, "%.5f", d);
        }
        return v.asString();
    }
}
