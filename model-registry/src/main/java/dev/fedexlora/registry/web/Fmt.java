package dev.fedexlora.registry.web;

import java.util.Locale;

/** Numbers and sizes as the pages show them: never locale-dependent, small errors in scientific notation. */
final class Fmt {

    private Fmt() {
    }

    /** A metric value: 4 significant digits, scientific below 1e-3 and from 1e6. Null shows as a dash. */
    static String value(Object v) {
        if (v == null) {
            return "—";
        }
        if (v instanceof Integer || v instanceof Long) {
            return v.toString();
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e6) {
                return Long.toString((long) d);
            }
            double a = Math.abs(d);
            if (!Double.isFinite(d)) {
                return Double.toString(d);
            }
            if (a < 1e-3 || a >= 1e6) {
                return String.format(Locale.ROOT, "%.3e", d);
            }
            return stripZeros(String.format(Locale.ROOT, "%.4g", d));
        }
        return String.valueOf(v);
    }

    /** An axis tick: as short as it can be without losing the step. */
    static String tick(double d) {
        if (d == 0) {
            return "0";
        }
        double a = Math.abs(d);
        if (a < 1e-3 || a >= 1e5) {
            return String.format(Locale.ROOT, "%.1e", d);
        }
        return stripZeros(String.format(Locale.ROOT, "%.4f", d));
    }

    /** Bytes in B, KiB, MiB or GiB. */
    static String bytes(long size) {
        if (size < 1024) {
            return size + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = size;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String stripZeros(String s) {
        if (!s.contains(".") || s.contains("e")) {
            return s;
        }
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
