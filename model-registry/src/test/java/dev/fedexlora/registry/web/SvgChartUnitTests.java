package dev.fedexlora.registry.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SvgChartUnitTests {

    private static final Pattern CIRCLE = Pattern.compile("<circle cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"");

    @Test
    void drawsOnePointPerRoundWithItsValueAsTooltip() {
        String svg = SvgChart.render("loss", "Mean loss", "round", List.of(
                new SvgChart.Point(1, 1.0), new SvgChart.Point(2, 0.5), new SvgChart.Point(3, 0.25)), false);
        assertThat(svg).startsWith("<svg").endsWith("</svg>")
                .contains("data-metric=\"loss\"", "data-points=\"3\"", "data-scale=\"linear\"")
                .contains("<title>round 2: 0.5</title>", "<title>round 3: 0.25</title>");
        double[][] xy = circles(svg);
        assertThat(xy).hasNumberOfRows(3);
        // rounds go left to right, and a falling loss is drawn going down (larger y on screen)
        assertThat(xy[0][0]).isLessThan(xy[1][0]);
        assertThat(xy[1][0]).isLessThan(xy[2][0]);
        assertThat(xy[0][1]).isLessThan(xy[1][1]);
        assertThat(xy[1][1]).isLessThan(xy[2][1]);
        // every point inside the plot area
        for (double[] p : xy) {
            assertThat(p[0]).isBetween(0.0, (double) SvgChart.WIDTH);
            assertThat(p[1]).isBetween(0.0, (double) SvgChart.HEIGHT);
        }
    }

    @Test
    void exactnessErrorsUseALogScaleSoDecadesAreEvenlySpaced() {
        String svg = SvgChart.render("exactness", "Exactness error", "round", List.of(
                new SvgChart.Point(1, 1e-8), new SvgChart.Point(2, 1e-7), new SvgChart.Point(3, 1e-6)), true);
        assertThat(svg).contains("data-scale=\"log\"", ">1e-8<", ">1e-6<", "round 2: 1.000e-07");
        double[][] xy = circles(svg);
        assertThat(xy[0][1] - xy[1][1]).isCloseTo(xy[1][1] - xy[2][1], org.assertj.core.data.Offset.offset(0.2));
        // a zero cannot be drawn on a log axis: the chart falls back to linear
        assertThat(SvgChart.render("exactness", "e", "round", List.of(new SvgChart.Point(1, 0.0),
                new SvgChart.Point(2, 1e-7)), true)).contains("data-scale=\"linear\"", "data-points=\"2\"");
    }

    @Test
    void missingAndNonFiniteValuesAreLeftOutAndNoValuesSayNoData() {
        String svg = SvgChart.render("accuracy", "Mean accuracy", "round", List.of(new SvgChart.Point(1, null),
                new SvgChart.Point(2, Double.NaN), new SvgChart.Point(3, 0.7)), false);
        assertThat(svg).contains("data-points=\"1\"", "round 3: 0.7").doesNotContain("round 1:", "NaN");
        assertThat(SvgChart.render("loss", "Mean loss", "round", List.of(), false))
                .contains("data-points=\"0\"", "no data").doesNotContain("<circle");
    }

    @Test
    void textIsEscaped() {
        assertThat(SvgChart.render("x\"><script>", "<b>t</b>", "round", List.of(new SvgChart.Point(1, 1.0)), false))
                .doesNotContain("<script>", "<b>").contains("&lt;b&gt;t&lt;/b&gt;");
    }

    @Test
    void linearTicksAreRoundAndCoverTheRange() {
        List<Double> ticks = SvgChart.linearTicks(0.123, 0.987);
        assertThat(ticks.getFirst()).isLessThanOrEqualTo(0.123);
        assertThat(ticks.getLast()).isGreaterThanOrEqualTo(0.987);
        assertThat(ticks).hasSizeBetween(4, 7);
        assertThat(SvgChart.linearTicks(2, 2)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(SvgChart.logTicks(-8.3, -5.1)).containsExactly(-9.0, -8.0, -7.0, -6.0, -5.0);
    }

    private static double[][] circles(String svg) {
        Matcher m = CIRCLE.matcher(svg);
        return m.results().map(r -> new double[] {Double.parseDouble(r.group(1)), Double.parseDouble(r.group(2))})
                .toArray(double[][]::new);
    }

    @Test
    void formatsValuesForPeople() {
        assertThat(Fmt.value(0.5)).isEqualTo("0.5");
        assertThat(Fmt.value(2.0e-7)).isEqualTo("2.000e-07");
        assertThat(Fmt.value(3)).isEqualTo("3");
        assertThat(Fmt.value(null)).isEqualTo("—");
        assertThat(Fmt.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(Arrays.asList(Fmt.tick(0.25), Fmt.tick(1e-6))).containsExactly("0.25", "1.0e-06");
    }
}
