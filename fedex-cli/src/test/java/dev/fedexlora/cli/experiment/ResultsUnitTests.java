package dev.fedexlora.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fedexlora.cli.experiment.ExperimentCommand.JobResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.RoundResult;
import dev.fedexlora.cli.experiment.ExperimentCommand.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The experiment's grid, and the tables and plots written from its results. */
class ResultsUnitTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path out;

    @Test
    void theDefaultGridHasEveryMethodSplitClientCountAndSeedPlusTheRankOneSetting() {
        ExperimentCommand command = new ExperimentCommand();
        new CommandLine(command).parseArgs();
        List<Run> runs = command.plan();
        // Per seed: one centralised job, and for each federated method 3 alphas x 2 client counts + 1 at rank 1.
        assertThat(runs).hasSize(3 * (1 + 3 * (3 * 2 + 1)));
        assertThat(runs).filteredOn(r -> r.rank() == 1).allMatch(r -> r.alpha() == 0.1 && r.clients() == 3)
                .hasSize(9);
        assertThat(runs.stream().map(Run::name).distinct()).hasSize(runs.size());
        Run run = new Run("FEDIT", 0.1, 3, 4, 2);
        assertThat(run.clientIds()).containsExactly("a0.1-n3-s2-c0", "a0.1-n3-s2-c1", "a0.1-n3-s2-c2");
        assertThat(run.name()).isEqualTo("fedit-a0.1-n3-r4-s2");
        assertThat(new Run("CENTRALIZED", 0, 1, 4, 1).clientIds()).containsExactly(Run.POOLED);
    }

    @Test
    void anUnknownMethodIsRefusedWithItsName() {
        ExperimentCommand command = new ExperimentCommand();
        new CommandLine(command).parseArgs("--methods", "FEDEX,FEDAVG");
        assertThatThrownBy(command::plan).hasMessageContaining("FEDAVG");
    }

    @Test
    void writesTablesJsonAndPlotsFromTheRounds() throws Exception {
        Map<Run, JobResult> runs = new LinkedHashMap<>();
        for (long seed = 1; seed <= 2; seed++) {
            runs.put(new Run("CENTRALIZED", 0, 1, 4, seed), result(0.60 + seed / 100.0, 0, 0));
            for (String m : Results.FEDERATED) {
                double deviation = m.equals("FEDIT") ? 0.2 : 0;
                runs.put(new Run(m, 0.1, 3, 4, seed), result(0.40 + seed / 100.0, deviation, m.equals("FEDEX") ? 4096 : 0));
                runs.put(new Run(m, 100, 3, 4, seed), result(0.50 + seed / 100.0, deviation / 4, m.equals("FEDEX") ? 4096 : 0));
            }
        }
        runs.put(new Run("FEDEX", 1, 3, 4, 3), new JobResult("j", "FAILED", "round 2 failed", 3, List.of()));
        Results.write(out, new Settings("d.jsonl", 100, 20, 4, 3, 10, 30, 16, 5e-3, 2, List.of("query"), 64, 2, 61, 2),
                runs);

        String md = Files.readString(out.resolve("results.md"));
        assertThat(md).contains("| 4 | 0.1 | 3 | 0.415 ± 0.007 | 0.415 ± 0.007 | 0.415 ± 0.007 |");
        assertThat(md).contains("CENTRALIZED (one client on all 100 examples, rank 4): 0.615 ± 0.007");
        assertThat(md).contains("fedex-a1-n3-r4-s3: FAILED (round 2 failed)");
        assertThat(md).contains("| FEDEX | 4 | 3 | 1000 | 1000 | 4096 | 8192 |");
        // Every round, not only the last: the centralised baseline beside the federated methods.
        assertThat(md).contains("rank 4, α 0.1, 3 clients", "| round | FEDEX | FEDIT | FFA | CENTRALIZED | FedIT dropped |",
                "| 1 | 0.315 / 1.000 | 0.315 / 1.000 | 0.315 / 1.000 | 0.515 / 1.000 | – |",
                "| 3 | 0.415 / 1.000 | 0.415 / 1.000 | 0.415 / 1.000 | 0.615 / 1.000 | – |");
        JsonNode json = JSON.readTree(out.resolve("results.json").toFile());
        assertThat(json.path("runs")).hasSize(runs.size());
        assertThat(json.path("runs").get(0).path("rounds").get(2).path("layers").get(0).path("module").asString())
                .isEqualTo("encoder.layer.5.attention.self.query");
        for (String png : List.of("accuracy-r4-n3.png", "deviation-rounds.png", "deviation-layers.png")) {
            byte[] bytes = Files.readAllBytes(out.resolve(png));
            assertThat(bytes).hasSizeGreaterThan(1000);
            assertThat(new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
        }
    }

    /** Three rounds reaching {@code accuracy}, with FedIT's deviation shrinking and the residual's sizes. */
    private static JobResult result(double accuracy, double deviation, long residualBytes) {
        List<RoundResult> rounds = new ArrayList<>();
        for (int r = 1; r <= 3; r++) {
            double dev = deviation / r;
            JsonNode report = JSON.readTree("{\"layers\": [{\"module\": \"encoder.layer.5.attention.self.query\", "
                    + "\"deviation\": " + dev + ", \"relativeDeviation\": " + dev + ", \"denseBytes\": 4096}, "
                    + "{\"module\": \"encoder.layer.5.attention.self.value\", \"deviation\": " + dev / 2
                    + ", \"relativeDeviation\": " + dev / 2 + ", \"denseBytes\": 4096}]}");
            rounds.add(new RoundResult(r, r, accuracy - (3 - r) * 0.05, 1.0, accuracy, 1e-8, dev,
                    residualBytes, 1000, report));
        }
        return new JobResult("job", "SUCCEEDED", null, 12.5, rounds);
    }
}
