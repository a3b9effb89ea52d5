package dev.fedexlora.registry.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.web.util.HtmlUtils;

/**
 * A line chart of one metric over rounds, drawn on the server as inline SVG: no script, no external resource, so
 * the pages work offline and in any browser. Points whose value is missing or not finite are left out. With
 * {@code log} the y axis is log10 (exactness errors span decades near 1e-7); it falls back to linear when a value
 * is not positive.
 *
 * <p>The {@code svg} element carries {@code data-metric} and {@code data-points} (the number of points drawn);
 * each point is a {@code circle} with a {@code title} such as {@code round 3: 0.4123}, shown as a tooltip.
 */
final class SvgChart {

    static final int WIDTH = 380;
    static final int HEIGHT = 220;
    private static final int LEFT = 62;
    private static final int RIGHT = 14;
    private static final int TOP = 26;
    private static final int BOTTOM = 38;
    private static final int MAX_X_TICKS = 10;

    /** One point: {@code x} is the round (or version) number, {@code y} the value, null when absent. */
    record Point(int x, Double y) {
    }

    private SvgChart() {
    }

    static String render(String metric, String title, String xLabel, List<Point> series, boolean log) {
        List<Point> points = new ArrayList<>();
        for (Point p : series) {
            if (p.y() != null && Double.isFinite(p.y())) {
                points.add(p);
            }
        }
        boolean logScale = log && !points.isEmpty() && points.stream().allMatch(p -> p.y() > 0);
        StringBuilder svg = new StringBuilder(2048);
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\""
                        + " data-metric=\"%s\" data-points=\"%d\" data-scale=\"%s\" viewBox=\"0 0 %d %d\""
                        + " width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
                esc(metric), points.size(), logScale ? "log" : "linear", WIDTH, HEIGHT, WIDTH, HEIGHT, esc(title)));
        svg.append("<title>").append(esc(title)).append("</title>");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" class=\"plot-title\">%s</text>", LEFT,
                esc(title + (logScale ? " (log scale)" : ""))));
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>",
                LEFT, TOP, plotW, plotH));
        if (points.isEmpty()) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"empty\">"
                    + "no data</text></svg>", LEFT + plotW / 2, TOP + plotH / 2));
            return svg.toString();
        }

        int xMin = points.stream().mapToInt(Point::x).min().orElseThrow();
        int xMax = points.stream().mapToInt(Point::x).max().orElseThrow();
        double x0 = xMin == xMax ? xMin - 1 : xMin;
        double x1 = xMin == xMax ? xMax + 1 : xMax;

        double[] ys = points.stream().mapToDouble(p -> logScale ? Math.log10(p.y()) : p.y()).toArray();
        double yMin = java.util.Arrays.stream(ys).min().orElseThrow();
        double yMax = java.util.Arrays.stream(ys).max().orElseThrow();
        List<Double> yTicks = logScale ? logTicks(yMin, yMax) : linearTicks(yMin, yMax);
        double y0 = yTicks.getFirst();
        double y1 = yTicks.getLast();

        // grid and y tick labels
        for (double t : yTicks) {
            double py = TOP + plotH - (t - y0) / (y1 - y0) * plotH;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>",
                    LEFT, py, LEFT + plotW, py));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"tick\">%s"
                    + "</text>", LEFT - 5, py + 4, esc(logScale ? "1e" + Math.round(t) : Fmt.tick(t))));
        }
        // x tick labels: every round up to MAX_X_TICKS of them
        int step = Math.max(1, (int) Math.ceil((xMax - xMin + 1) / (double) MAX_X_TICKS));
        for (int x = xMin; x <= xMax; x += step) {
            double px = LEFT + (x - x0) / (x1 - x0) * plotW;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"tick\">%d"
                    + "</text>", px, TOP + plotH + 15, x));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">%s"
                + "</text>", LEFT + plotW / 2, HEIGHT - 4, esc(xLabel)));

        StringBuilder line = new StringBuilder();
        StringBuilder dots = new StringBuilder();
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            double px = LEFT + (p.x() - x0) / (x1 - x0) * plotW;
            double py = TOP + plotH - (ys[i] - y0) / (y1 - y0) * plotH;
            line.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" class=\"point\">"
                    + "<title>%s %d: %s</title></circle>", px, py, esc(xLabel), p.x(), esc(Fmt.value(p.y()))));
        }
        svg.append("<polyline points=\"").append(line.toString().trim()).append("\" class=\"line\"/>");
        svg.append(dots).append("</svg>");
        return svg.toString();
    }

    /** Four to six round-numbered ticks covering [min, max]. */
    static List<Double> linearTicks(double min, double max) {
        if (min == max) {
            double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        double raw = (max - min) / 4;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double norm = raw / magnitude;
        double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
        double lo = Math.floor(min / step) * step;
        double hi = Math.ceil(max / step) * step;
        List<Double> ticks = new ArrayList<>();
        for (int i = 0; lo + i * step <= hi + step * 1e-9; i++) {
            ticks.add(lo + i * step);
        }
        return ticks;
    }

    /** Whole decades (as log10 values) covering [min, max], at most seven of them. */
    static List<Double> logTicks(double min, double max) {
        long lo = (long) Math.floor(min);
        long hi = (long) Math.ceil(max);
        if (hi == lo) {
            hi = lo + 1;
        }
        long step = Math.max(1, (hi - lo + 5) / 6);
        hi = lo + ((hi - lo + step - 1) / step) * step;
        List<Double> ticks = new ArrayList<>();
        for (long t = lo; t <= hi; t += step) {
            ticks.add((double) t);
        }
        return ticks;
    }

    private static String esc(String s) {
        return HtmlUtils.htmlEscape(s);
    }
}
