package dev.fedexlora.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fedexlora.cli.FedexCommand;
import dev.fedexlora.train.checkpoint.BertConfig;
import dev.fedexlora.train.checkpoint.RandomCheckpoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fedex bench train} on the tiny encoder, DJL side only (no Python here). */
class TrainBenchIntegrationTests {

    @TempDir
    Path dir;

    @Test
    void measuresFullLengthBatchesAndReportsATable() throws Exception {
        RandomCheckpoint.write(dir, BertConfig.tiny(30522), 1);
        CommandLine cli = FedexCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("bench", "train", "--model", dir.toString(), "--batch-size", "4", "--seq", "16",
                "--rank", "2", "--steps", "2", "--repeats", "3", "--threads", "1");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("batch 4, seq 16, r 2 on query,value, 1 threads")
                .contains("round 3:").contains("| DJL 0.36").contains("load average at the end");
        // every batch is exactly batch × seq real tokens: tokens/s = examples/s × 16
        String row = out.toString().lines().filter(l -> l.startsWith("| DJL")).findFirst().orElseThrow();
        String[] cells = row.split("\\|");
        double eps = Double.parseDouble(cells[2].trim());
        double tps = Double.parseDouble(cells[3].trim());
        assertThat(tps).isCloseTo(eps * 16, org.assertj.core.api.Assertions.within(eps * 16 * 0.01 + 1));

        int bad = cli.execute("bench", "train", "--model", dir.toString(), "--seq", "4");
        assertThat(bad).isEqualTo(2);
        assertThat(err.toString()).contains("--seq at least 8");
    }
}
