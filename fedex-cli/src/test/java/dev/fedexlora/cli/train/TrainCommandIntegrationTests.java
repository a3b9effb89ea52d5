package dev.fedexlora.cli.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fedexlora.cli.FedexCommand;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.train.checkpoint.BertConfig;
import dev.fedexlora.train.checkpoint.RandomCheckpoint;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.data.Jsonl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code fedex train} on a tiny random encoder and a three-topic data set. */
class TrainCommandIntegrationTests {

    @TempDir
    static Path dir;

    static Path model;
    static Path data;

    record Run(int exitCode, String stdout, String stderr) {
    }

    static Run fedex(String... args) {
        CommandLine cli = FedexCommand.commandLine();
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        cli.setOut(new PrintWriter(o));
        cli.setErr(new PrintWriter(e));
        int code = cli.execute(args);
        return new Run(code, o.toString(), e.toString());
    }

    @BeforeAll
    static void data() throws Exception {
        model = dir.resolve("tiny");
        RandomCheckpoint.write(model, BertConfig.tiny(30522), 3);
        List<Example> examples = new ArrayList<>();
        String[] topics = {"a small cat sleeps", "the heavy hammer hits", "green leaves grow"};
        for (int i = 0; i < 90; i++) {
            examples.add(new Example(topics[i % 3] + " " + i, i % 3));
        }
        data = dir.resolve("data.jsonl");
        Jsonl.write(data, examples);
    }

    String[] train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--model", model.toString(), "--data", data.toString(),
                "--steps", "4", "--batch-size", "8", "--max-length", "16", "--rank", "4", "--lr", "1e-2",
                "--threads", "1", "--out", out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void trainsOneClientsShardToAPeftAdapterWithHeadAndReport() throws Exception {
        Path out = dir.resolve("client1");
        Run run = fedex(train(out, "--clients", "3", "--client", "1", "--partition", "iid"));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        // 90 examples, 3 IID shards of 30, 10% of each held out
        assertThat(run.stdout()).contains("client client-1 (iid shard 1 of 3)").contains("27 examples, 3 held out, 3 labels, 4 steps")
                .contains("held-out loss").contains("examples/s");
        assertThat(run.stderr()).contains("4/4").contains("loss").contains("ETA");

        LoraAdapter adapter = PeftAdapters.read(out);
        assertThat(adapter.config().r()).isEqualTo(4);
        assertThat(adapter.config().targetModules()).containsExactly("query", "value");
        assertThat(adapter.layers()).hasSize(4);
        assertThat(adapter.extras().get("classifier.weight").shape()).containsExactly(3, 32);
        JsonNode report = JsonMapper.builder().build().readTree(Files.readString(out.resolve("report.json")));
        assertThat(report.path("examples").asInt()).isEqualTo(27);
        assertThat(report.path("metrics").path("steps").asInt()).isEqualTo(4);
        assertThat(report.path("metrics").path("evalExamples").asInt()).isEqualTo(3);

        // Same seed, same adapter; a different seed, a different one.
        Path again = dir.resolve("again");
        assertThat(fedex(train(again, "--clients", "3", "--client", "1", "--partition", "iid", "--no-progress"))
                .exitCode()).isZero();
        assertThat(Files.readAllBytes(again.resolve(PeftAdapters.WEIGHTS_FILE)))
                .isEqualTo(Files.readAllBytes(out.resolve(PeftAdapters.WEIGHTS_FILE)));
        Path other = dir.resolve("other");
        Run otherRun = fedex(train(other, "--clients", "3", "--client", "1", "--partition", "iid", "--seed", "2",
                "--no-progress"));
        assertThat(otherRun.exitCode()).isZero();
        assertThat(otherRun.stderr()).isEmpty();
        assertThat(Files.readAllBytes(other.resolve(PeftAdapters.WEIGHTS_FILE)))
                .isNotEqualTo(Files.readAllBytes(out.resolve(PeftAdapters.WEIGHTS_FILE)));
    }

    @Test
    void withoutClientItTrainsOnAllShardsPooledAndFfaFreezesA() throws Exception {
        Path out = dir.resolve("pooled");
        Run run = fedex(train(out, "--clients", "3", "--ffa", "--no-progress"));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("all 3 shards pooled (centralised)");
        JsonNode report = JsonMapper.builder().build().readTree(Files.readString(out.resolve("report.json")));
        assertThat(report.path("examples").asInt() + report.path("metrics").path("evalExamples").asInt()).isEqualTo(90);

        // FFA: A stays at the seed's initialisation, so two FFA runs on different data share every A.
        Path one = dir.resolve("ffa-one");
        assertThat(fedex(train(one, "--clients", "3", "--client", "0", "--ffa", "--no-progress")).exitCode()).isZero();
        LoraAdapter pooled = PeftAdapters.read(out);
        LoraAdapter single = PeftAdapters.read(one);
        for (String module : pooled.layers().keySet()) {
            assertThat(single.layer(module).a().data()).isEqualTo(pooled.layer(module).a().data());
            assertThat(single.layer(module).b().data()).isNotEqualTo(pooled.layer(module).b().data());
        }
    }

    @Test
    void badOptionsAreUsageErrorsAndBadDataAFailure() throws Exception {
        Run shard = fedex(train(dir.resolve("x"), "--clients", "3", "--client", "3"));
        assertThat(shard.exitCode()).isEqualTo(2);
        assertThat(shard.stderr()).contains("--client must be in [0, 3), got 3");
        Run noClients = fedex(train(dir.resolve("x"), "--client", "0"));
        assertThat(noClients.exitCode()).isEqualTo(2);
        assertThat(noClients.stderr()).contains("--client needs --clients");
        Run partition = fedex(train(dir.resolve("x"), "--clients", "2", "--partition", "zipf"));
        assertThat(partition.exitCode()).isEqualTo(2);
        assertThat(partition.stderr()).contains("--partition must be iid, by-label or dirichlet, not 'zipf'");
        Run alpha = fedex(train(dir.resolve("x"), "--lora-alpha", "0"));
        assertThat(alpha.exitCode()).isEqualTo(2);
        assertThat(alpha.stderr()).contains("alpha must be positive, got 0.0");

        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\": \"fine\", \"label\": 0}\n{\"label\": 1}\n");
        Run badData = fedex("train", "--model", model.toString(), "--data", bad.toString(), "--steps", "1");
        assertThat(badData.exitCode()).isEqualTo(1);
        assertThat(badData.stderr()).startsWith("fedex train: ").contains("bad.jsonl");
        assertThat(Files.exists(dir.resolve("x"))).isFalse();
    }

    @Test
    void helpListsTheOptions() {
        Run help = fedex("train", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).contains("--data").contains("--clients").contains("--ffa").contains("--dirichlet-alpha");
    }
}
