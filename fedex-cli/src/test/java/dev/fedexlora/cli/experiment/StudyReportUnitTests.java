package dev.fedexlora.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.RoundResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;

/** What the study's summary says when the methods' searched learning rates differ. */
class StudyReportUnitTests {

    @TempDir
    Path dir;

    @Test
    void methodsSearchedToDifferentRatesAreAlsoComparedWhereTheirRatesAgree() throws Exception {
        Preset.Point base = new Preset.Point("base", 0.1, 5, 4, 20, 1, Preset.PAIR);
        Preset.Point lower = new Preset.Point("learning rate", 0.1, 5, 4, 20, 0.3, Preset.PAIR);
        Preset preset = new Preset("t", Preset.TOP_LAYER, true, 1, 8, 32, List.of(1L, 2L, 3L), List.of(base, lower));
        Map<Preset.Point, Map<Run, JobResult>> points = new LinkedHashMap<>();
        points.put(base, runs(base, 0.50, 0.50));
        points.put(lower, runs(lower, 0.52, 0.30));
        // FEDEX at 3e-2 × 0.3 = 9e-3 meets FEDIT at 1e-2 × 1: FEDEX is ahead there by 2 points in every seed.
        StudyReport.write(dir, preset, Map.of("d", points), Map.of("d", Map.of("FEDEX", 3e-2, "FEDIT", 1e-2)),
                Duration.ofSeconds(1));
        String md = Files.readString(dir.resolve("study.md"));
        assertThat(md).contains("FEDEX − FEDIT at the same learning rate", "The search chose 3e-02 for FEDEX and 1e-02",
                "| 9.0e-03 (a0.1-n5-r4-k20-lr0.3) | 1.0e-02 (a0.1-n5-r4-k20-lr1) | 3 | +2.00 [");
        assertThat(md).contains("**FEDEX**");

        // Equal rates: the setting's own table already compares them at one rate.
        StudyReport.write(dir, preset, Map.of("d", points), Map.of("d", Map.of("FEDEX", 1e-2, "FEDIT", 1e-2)),
                Duration.ofSeconds(1));
        assertThat(Files.readString(dir.resolve("study.md"))).doesNotContain("at the same learning rate");
    }

    /** Three seeds of FEDEX and FEDIT at the given final accuracies (plus a little per seed). */
    private static Map<Run, JobResult> runs(Preset.Point p, double fedex, double fedit) {
        Map<Run, JobResult> out = new LinkedHashMap<>();
        for (long seed = 1; seed <= 3; seed++) {
            double wiggle = 0.01 * seed;
            out.put(Study.run("FEDEX", p, seed), job(fedex + wiggle));
            out.put(Study.run("FEDIT", p, seed), job(fedit + wiggle));
        }
        return out;
    }

    private static JobResult job(double accuracy) {
        return new JobResult("j", "SUCCEEDED", null, 1, List.of(new RoundResult(1, 1, accuracy, 1 - accuracy,
                accuracy, 0, 0, 0, 1000, JsonNodeFactory.instance.objectNode())));
    }
}
