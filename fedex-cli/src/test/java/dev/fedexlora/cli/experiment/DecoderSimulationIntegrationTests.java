package dev.fedexlora.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.RoundResult;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.DecoderConfig;
import dev.fedexlora.train.decoder.RandomDecoder;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The causal-LM task of the in-process harness on a tiny random Llama with the real Llama 2 tokenizer: real LoRA
 * training of every projection, real aggregation, exactness and residual folding, and the per-round report.
 */
class DecoderSimulationIntegrationTests {

    @TempDir
    Path dir;

    @Test
    void exactMethodsStayExactOnEveryProjectionAndTheReportPairsTheSeeds() throws Exception {
        Path tokenizer = Path.of("..", ".cache", "tokenizers", "llama2", "tokenizer.json").toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(tokenizer), "no " + tokenizer + ": run scripts/fetch-tokenizers.sh");
        DecoderConfig config = new DecoderConfig("llama", 32000, 32, 64, 2, 4, 4, 8, 1e-5, 10000, null, 128, true,
                false, 0, 1, List.of(2), -1);
        RandomDecoder.write(dir.resolve("model"), config, DType.F32, 1, 0.2, 3, tokenizer);
        DecoderCheckpoint base = DecoderCheckpoint.load(dir.resolve("model"));
        List<String> names = List.of("noun.animal", "noun.artifact", "noun.food");
        Preset preset = new Preset("t", Preset.DECODER_PROJECTIONS, false, 2, 4, 48, List.of(1L, 2L),
                List.of(new Preset.Point("base", 1, 2, 2, 2, 1, Preset.MAIN)), Preset.Task.CAUSAL_LM);
        Preset.Point p = preset.points().getFirst();
        Map<Run, JobResult> runs = new LinkedHashMap<>();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try (DecoderSimulation sim = new DecoderSimulation(base, "tiny", names, examples(36, 1), examples(9, 2), 48,
                quiet)) {
            assertThat(sim.evaluateBase().exactMatch()).isBetween(0.0, 1.0);
            for (long seed : preset.seeds()) {
                for (String m : Preset.MAIN) {
                    Run r = Study.run(m, p, seed);
                    runs.put(r, sim.run(r, Study.hyper(preset, p, m, 1e-2)));
                }
            }
        }
        assertThat(runs.values()).allMatch(r -> r.state().equals("SUCCEEDED") && r.rounds().size() == 2);
        RoundResult fedex = runs.get(Study.run("FEDEX", p, 1)).rounds().getLast();
        RoundResult fedit = runs.get(Study.run("FEDIT", p, 1)).rounds().getLast();
        RoundResult ffa = runs.get(Study.run("FFA", p, 1)).rounds().getLast();
        assertThat(fedex.exactnessError()).isLessThan(1e-5);
        assertThat(ffa.exactnessError()).isLessThan(1e-5);
        assertThat(fedex.residualBytes()).isPositive();
        assertThat(fedit.residualBytes()).isZero();
        assertThat(fedex.testLoss()).isFinite().isNotEqualTo(fedit.testLoss());
        // 2 layers × 7 projections, grouped by type for FedIT's deviation.
        assertThat(fedit.report().path("layers").size()).isEqualTo(14);
        assertThat(LmReport.byProjection(runs, 2).keySet()).containsExactlyInAnyOrderElementsOf(Preset.DECODER_PROJECTIONS);
        assertThat(LmReport.byProjection(runs, 2).values()).allMatch(v -> v.size() == 4 && v.stream().allMatch(x -> x > 0));
        assertThat(LmReport.diffs(runs, "FEDEX", "FEDIT", 2, RoundResult::testLoss)).hasSize(2);

        Map<String, Map<Preset.Point, Map<Run, JobResult>>> all = Map.of("tiny", Map.of(p, runs));
        DecoderPretraining.Info info = new DecoderPretraining.Info(DecoderPretraining.DEFAULT, 10, 100, 1, 10.4, 9.0, "test");
        try (DecoderSimulation sim = new DecoderSimulation(base, "tiny", names, examples(6, 1), examples(3, 2), 48, quiet)) {
            LmReport.write(dir.resolve("out"), preset, all, info, sim.evaluateBase(), 1e-2, "5 s");
        }
        String md = Files.readString(dir.resolve("out/causal-lm.md"));
        assertThat(md).contains("FEDEX − FEDIT loss", "| round | q_proj | k_proj | v_proj | o_proj | gate_proj | up_proj | down_proj |",
                "a1-n2-r2-k2-lr1");
    }

    /** Three categories told apart by their words. */
    private static List<Example> examples(int n, int seed) {
        String[][] words = {{"dog", "cat", "horse"}, {"chair", "table", "lamp"}, {"bread", "soup", "rice"}};
        java.util.Random r = new java.util.Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = i % 3;
            out.add(new Example("a kind of " + words[label][r.nextInt(3)] + " seen " + r.nextInt(50) + " times", label));
        }
        return out;
    }
}
