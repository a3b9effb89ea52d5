package dev.fedexlora.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Paired intervals, detectable differences and the presets' definitions. */
class StatsUnitTests {

    @Test
    void theIntervalIsStudentsTWithNMinusOneDegreesOfFreedom() {
        Stats.Paired p = Stats.paired(List.of(0.01, 0.02, 0.03));
        assertThat(p.mean()).isCloseTo(0.02, within(1e-12));
        assertThat(p.sd()).isCloseTo(0.01, within(1e-12));
        // t(0.975, 2) = 4.303: half-width 4.303 * 0.01 / sqrt(3)
        assertThat(p.halfWidth()).isCloseTo(4.303 * 0.01 / Math.sqrt(3), within(1e-9));
        assertThat(p.detectable()).isCloseTo((4.303 + 1.061) * 0.01 / Math.sqrt(3), within(1e-9));
        assertThat(p.resolved()).isFalse();
        assertThat(p.format(100, 2)).isEqualTo("+2.00 [-0.48, +4.48]");
    }

    @Test
    void theSeedsNeededForADifferenceUseTheSameTQuantilesAsTheDetectableDifference() {
        // sd 1 point: (2.262 + 0.883) / sqrt(10) = 0.9945 <= 1, while 9 seeds give (2.306 + 0.889) / 3 = 1.065.
        Stats.Paired p = Stats.paired(List.of(0.0, 0.01, 0.02).stream().map(x -> x - 0.01).toList());
        assertThat(p.sd()).isCloseTo(0.01, within(1e-12));
        assertThat(p.seedsFor(0.01)).isEqualTo(10);
        assertThat(p.seedsFor(0.5)).isEqualTo(2);
        assertThat(Stats.paired(List.of(0.01)).seedsFor(0.01)).isNaN();
    }

    @Test
    void anIntervalThatExcludesZeroIsResolvedAndOneSeedIsNever() {
        assertThat(Stats.paired(List.of(0.010, 0.011, 0.012, 0.013)).resolved()).isTrue();
        assertThat(Stats.paired(List.of(-0.010, -0.011, -0.012)).resolved()).isTrue();
        Stats.Paired one = Stats.paired(List.of(0.5));
        assertThat(one.resolved()).isFalse();
        assertThat(one.format(100, 1)).isEqualTo("+50.0 (1 seed)");
        assertThat(Stats.paired(List.of()).format(100, 1)).isEqualTo("–");
        assertThat(Stats.t975(100)).isEqualTo(1.960);
    }

    @Test
    void correlationIsPearsonsRWithFishersInterval() {
        double[] r = Stats.correlation(List.of(new double[] {1, 1}, new double[] {2, 3}, new double[] {3, 2},
                new double[] {4, 4}));
        assertThat(r[0]).isCloseTo(0.8, within(1e-12));
        // atanh(0.8) ± 1.96 / sqrt(4 - 3)
        assertThat(r[1]).isCloseTo(Math.tanh(0.5 * Math.log(9) - 1.96), within(1e-12));
        assertThat(r[2]).isCloseTo(Math.tanh(0.5 * Math.log(9) + 1.96), within(1e-12));
        assertThat(Stats.correlation(List.of(new double[] {1, 1}, new double[] {2, 2}, new double[] {3, 3})))
                .containsOnly(Double.NaN);
    }

    @Test
    void presetsVaryOneFactorAtATimeAndUnknownOnesAreRefusedByName() {
        Preset sweep = Preset.named("sweep");
        Preset.Point base = sweep.points().getFirst();
        assertThat(base.methods()).containsExactlyElementsOf(Preset.MAIN);
        for (Preset.Point p : sweep.points()) {
            int differs = (p.alpha() != base.alpha() ? 1 : 0) + (p.clients() != base.clients() ? 1 : 0)
                    + (p.rank() != base.rank() ? 1 : 0) + (p.localSteps() != base.localSteps() ? 1 : 0)
                    + (p.lrScale() != base.lrScale() ? 1 : 0);
            assertThat(differs).as(p.label()).isLessThanOrEqualTo(1);
            assertThat(p.methods()).contains("FEDEX", "FEDIT");
        }
        assertThat(sweep.points().stream().map(Preset.Point::label).distinct()).hasSize(sweep.points().size());
        assertThat(Preset.named("paper").targets()).containsExactly("query", "value");
        assertThat(Preset.named("paper").cache()).isFalse();
        assertThatThrownBy(() -> Preset.named("gridsearch")).hasMessageContaining("gridsearch");
    }

    @Test
    void theLearningRateSearchGoesOnPastAWinningEdgeInHalfDecades() {
        assertThat(Study.edgeStep(1e-2, true)).isEqualTo(3e-2);
        assertThat(Study.edgeStep(3e-2, true)).isEqualTo(1e-1);
        assertThat(Study.edgeStep(1e-3, false)).isEqualTo(3e-4);
        assertThat(Study.edgeStep(3e-4, false)).isEqualTo(1e-4);
        java.util.TreeMap<Double, ExperimentCommand.RoundResult> tried = new java.util.TreeMap<>();
        tried.put(1e-3, round(0.30, 3.0));
        tried.put(3e-3, round(0.45, 2.0));
        tried.put(1e-2, round(0.45, 1.9));
        tried.put(3e-2, null);
        tried.put(1e-1, round(0.05, Double.NaN));
        // Equal accuracy: the lower loss wins; a failed or diverged run never does.
        assertThat(Study.bestRate(tried)).isEqualTo(1e-2);
        tried.keySet().removeIf(lr -> lr <= 1e-2);
        assertThatThrownBy(() -> Study.bestRate(tried)).hasMessageContaining("every learning rate tried failed");
    }

    private static ExperimentCommand.RoundResult round(double accuracy, double loss) {
        return new ExperimentCommand.RoundResult(5, 5, accuracy, loss, accuracy, 0, 0, 0, 0, null);
    }
}
