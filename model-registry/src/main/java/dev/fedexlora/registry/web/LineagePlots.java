package dev.fedexlora.registry.web;

import dev.fedexlora.registry.version.ModelVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The per-round plots of a lineage: mean loss, mean accuracy, FedIT deviation and exactness error of every
 * version on the chain from the base to the version shown (the base itself has no round and is left out).
 *
 * <p>Metric names: the coordinator registers {@code meanLoss}, {@code meanAccuracy} and {@code maxDeviation}; the
 * shorter {@code loss}, {@code accuracy} and {@code deviation} are read when those are absent. The x axis is the
 * job round when every version on the chain comes from one job, else the version number (rounds of different jobs
 * would overlap).
 */
final class LineagePlots {

    /** One plot, rendered: {@code svg} is trusted markup made by {@link SvgChart}. */
    public record Plot(String metric, String title, String svg) {
    }

    private record Metric(String id, String title, List<String> keys, boolean log) {
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("loss", "Mean loss", List.of("meanLoss", "loss"), false),
            new Metric("accuracy", "Mean accuracy", List.of("meanAccuracy", "accuracy"), false),
            new Metric("deviation", "FedIT deviation s‖R‖F", List.of("maxDeviation", "deviation", "fedItDeviation"),
                    false),
            new Metric("exactness", "Exactness error", List.of(), true));

    private LineagePlots() {
    }

    /** @param chainOldestFirst the lineage from the base to the version shown */
    static List<Plot> of(List<ModelVersion> chainOldestFirst, Function<ModelVersion, Map<String, Object>> metrics) {
        List<ModelVersion> rounds = chainOldestFirst.stream().filter(v -> v.parentNumber().isPresent()).toList();
        boolean oneJob = !rounds.isEmpty()
                && rounds.stream().allMatch(v -> v.sourceRound() != null && v.sourceJobId() != null)
                && rounds.stream().map(ModelVersion::sourceJobId).distinct().count() == 1;
        String xLabel = oneJob ? "round" : "version";
        List<Plot> plots = new ArrayList<>();
        for (Metric m : METRICS) {
            List<SvgChart.Point> points = new ArrayList<>();
            for (ModelVersion v : rounds) {
                int x = oneJob ? v.sourceRound() : v.number();
                Double y = m.keys().isEmpty() ? v.exactnessError() : number(metrics.apply(v), m.keys());
                points.add(new SvgChart.Point(x, y));
            }
            plots.add(new Plot(m.id(), m.title(), SvgChart.render(m.id(), m.title(), xLabel, points, m.log())));
        }
        return plots;
    }

    private static Double number(Map<String, Object> metrics, List<String> keys) {
        return keys.stream().map(metrics::get).filter(Objects::nonNull).findFirst()
                .map(v -> v instanceof Number n ? n.doubleValue() : null).orElse(null);
    }
}
