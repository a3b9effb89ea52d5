package dev.fedexlora.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.RoundResult;
import dev.fedexlora.train.checkpoint.BertConfig;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.checkpoint.RandomCheckpoint;
import dev.fedexlora.train.data.Example;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process path on a tiny random encoder: real training, real aggregation, real residual folding. */
class SimulationIntegrationTests {

    @TempDir
    Path dir;

    @Test
    void exactMethodsFoldTheResidualFedItDropsItAndTheStudyWritesItsSummary() throws Exception {
        RandomCheckpoint.write(dir.resolve("model"), BertConfig.tiny(30522), 5);
        HfCheckpoint base = HfCheckpoint.load(dir.resolve("model"));
        List<Example> pool = examples(120, 1);
        List<Example> test = examples(30, 2);
        Preset preset = new Preset("t", Preset.EVERY_LAYER, false, 2, 4, 16, List.of(1L, 2L),
                List.of(new Preset.Point("base", 100, 3, 2, 3, 1, Preset.MAIN)));
        Preset.Point p = preset.points().getFirst();
        Map<Run, JobResult> runs = new LinkedHashMap<>();
        try (Simulation sim = new Simulation(base, "tiny", pool, test, 3, 16, null)) {
            for (long seed : preset.seeds()) {
                for (String m : Preset.MAIN) {
                    Run r = Study.run(m, p, seed);
                    runs.put(r, sim.run(r, Study.hyper(preset, p, m, 1e-2)));
                }
            }
            // A split that leaves a client without training examples fails as the platform's job would.
            JobResult degenerate = sim.run(new Run("FEDEX", 0.01, 12, 2, 1), Study.hyper(preset, p, "FEDEX", 1e-2));
            assertThat(degenerate.state()).isEqualTo("FAILED");
            assertThat(degenerate.failure()).contains("holds no training examples");
            // Same seed, same numbers: the pairing rests on it.
            Run again = Study.run("FEDEX", p, 1);
            JobResult twice = sim.run(again, Study.hyper(preset, p, "FEDEX", 1e-2));
            assertThat(twice.rounds().getLast().testLoss()).isEqualTo(runs.get(again).rounds().getLast().testLoss());
        }
        assertThat(runs.values()).allMatch(r -> r.state().equals("SUCCEEDED") && r.rounds().size() == 2);
        RoundResult fedex = runs.get(Study.run("FEDEX", p, 1)).rounds().getLast();
        RoundResult fedit = runs.get(Study.run("FEDIT", p, 1)).rounds().getLast();
        RoundResult ffa = runs.get(Study.run("FFA", p, 1)).rounds().getLast();
        assertThat(fedex.exactnessError()).isLessThan(1e-5);
        assertThat(fedex.residualBytes()).isPositive();
        assertThat(fedit.residualBytes()).isZero();
        assertThat(ffa.residualBytes()).isZero();
        assertThat(StudyReport.droppedFraction(fedit)).isGreaterThan(0).isLessThan(1);
        assertThat(fedex.testLoss()).isNotEqualTo(fedit.testLoss());
        assertThat(StudyReport.pairs(runs)).hasSize(2);

        Path out = dir.resolve("out");
        Map<String, Map<Preset.Point, Map<Run, JobResult>>> all = new LinkedHashMap<>();
        all.put("tiny", Map.of(p, runs));
        all.put("other", Map.of(p, runs));
        StudyReport.write(out, preset, all, Map.of("tiny", Map.of("FEDEX", 1e-2)), java.time.Duration.ofSeconds(5));
        String md = Files.readString(out.resolve("study.md"));
        assertThat(md).contains("## tiny", "## other", "side by side", "a100-n3-r2-k3-lr1", "accuracy/MB");
        assertThat(Files.size(out.resolve("gap-vs-dropped.png"))).isPositive();

        // Seeds run by two processes come together setting by setting; a run of another setting is named, not placed.
        ExperimentCommand.Settings settings = new ExperimentCommand.Settings("tiny", 120, 30, 3, 2, 3, 9, 4, 1e-2,
                Study.ALPHA_PER_RANK, Preset.EVERY_LAYER, 16, 0, 5, 2);
        for (long seed : preset.seeds()) {
            Map<Run, JobResult> half = new LinkedHashMap<>();
            runs.forEach((r, res) -> {
                if (r.seed() == seed) {
                    half.put(r, res);
                }
            });
            Results.write(dir.resolve("s" + seed), settings, half);
        }
        Files.writeString(dir.resolve("lr.json"), "{\"tiny\": {\"FEDEX\": 0.01, \"FEDIT\": 0.01}}");
        Presets presets = new Presets(dir, System.err);
        presets.summarisePreset(preset, List.of(dir.resolve("s1/results.json"), dir.resolve("s2/results.json")),
                dir.resolve("merged"), dir.resolve("lr.json"), 0);
        assertThat(Files.readString(dir.resolve("merged/study.md")))
                .contains("--preset t --summarise", "| base | a100-n3-r2-k3-lr1 | 2 |", "wall times sum to");
        assertThat(Results.read(dir.resolve("merged/tiny/a100-n3-r2-k3-lr1/results.json")).runs()).hasSize(runs.size());
        Files.writeString(dir.resolve("lr.json"), "{\"tiny\": {\"FEDEX\": 0.003}}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> presets.summarisePreset(preset,
                        List.of(dir.resolve("s1/results.json")), dir.resolve("merged"), dir.resolve("lr.json"), 0))
                .hasMessageContaining("is not a setting of the t preset");
    }

    /** Three classes told apart by their words, so a tiny model can learn something. */
    private static List<Example> examples(int n, int seed) {
        String[][] words = {{"apple", "pear", "plum"}, {"car", "truck", "bus"}, {"red", "blue", "green"}};
        java.util.Random r = new java.util.Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = i % 3;
            out.add(new Example(words[label][r.nextInt(3)] + " " + words[label][r.nextInt(3)], label));
        }
        return out;
    }
}
