package dev.fedexlora.cli.jobs;

import java.util.Locale;
import tools.jackson.databind.JsonNode;

/** How the job commands print numbers that may be absent. */
final class Fmt {

    private Fmt() {
    }

    static String orDash(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode() ? "-" : v.asString();
    }

    static String number(JsonNode v) {
        if (v == null || !v.isNumber()) {
            return "-";
        }
        double d = v.asDouble();
        return d != 0 && Math.abs(d) < 1e-3 ? String.format(Locale.ROOT, "%.2e", d)
                : String.format(Locale.ROOT, "%.4f", d);
    }
}
