package dev.fedexlora.cli.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fedexlora.cli.FedexCommand;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The four {@code ./fedex lm} commands on tiny random checkpoints, and their bad-input errors. */
class LmCommandIntegrationTests {

    @TempDir
    Path dir;

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

    @Test
    void initWritesTheHuggingFaceLayoutAndLogitsWritesOneF32Tensor() throws Exception {
        Path model = dir.resolve("qwen");
        Run init = fedex("lm", "init", "--family", "qwen2", "--vocab", "300", "--layers", "2", "--hidden", "64",
                "--heads", "4", "--kv-heads", "2", "--dtype", "F16", "--shards", "2", "--tied", "--out", model.toString());
        assertThat(init.exitCode()).as(init.stderr()).isZero();
        assertThat(Files.exists(model.resolve("model-00001-of-00002.safetensors"))).isTrue();
        assertThat(Files.readString(model.resolve("model.safetensors.index.json"))).contains("weight_map");
        assertThat(Files.readString(model.resolve("config.json"))).contains("\"model_type\" : \"qwen2\"")
                .contains("\"torch_dtype\" : \"float16\"");

        Path out = dir.resolve("logits.safetensors");
        Run logits = fedex("lm", "logits", "--model", model.toString(), "--tokens", "5,6,7", "--out", out.toString());
        assertThat(logits.exitCode()).as(logits.stderr()).isZero();
        Tensor t = SafeTensors.read(out).tensor("logits");
        assertThat(t.shape()).containsExactly(3, 300);
        assertThat(t.dtype().name()).isEqualTo("F32");

        Run bad = fedex("lm", "logits", "--model", model.toString(), "--tokens", "5,x", "--out", out.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stderr()).contains("--tokens: 'x' (position 2) is not a token id");
        bad = fedex("lm", "logits", "--model", model.toString(), "--tokens", "5,300", "--out", out.toString());
        assertThat(bad.stderr()).contains("id 300 (position 2) is outside vocab_size 300");
        bad = fedex("lm", "generate", "--model", model.toString(), "--prompt", "hi");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stderr()).contains("tokenizer.json is missing");

        Path config = model.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"qwen2\"", "\"qwen2_moe\""));
        bad = fedex("lm", "logits", "--model", model.toString(), "--tokens", "5", "--out", out.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stderr()).contains("config.json").contains("model_type 'qwen2_moe' is not implemented");

        bad = fedex("lm", "init", "--family", "gpt2", "--out", dir.resolve("x").toString());
        assertThat(bad.stderr()).contains("--family must be llama, mistral or qwen2, got gpt2");
    }

    @Test
    void trainWritesAPeftAdapterThatGenerateAndLogitsApply() throws Exception {
        Path tokenizer = Path.of("..", ".cache", "tokenizers", "llama2", "tokenizer.json").toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(tokenizer), "no " + tokenizer + ": run scripts/fetch-tokenizers.sh");
        Path model = dir.resolve("llama");
        assertThat(fedex("lm", "init", "--family", "llama", "--tokenizer", tokenizer.toString(), "--layers", "2",
                "--hidden", "64", "--heads", "4", "--kv-heads", "2", "--tied", "--std", "0.2", "--out",
                model.toString()).exitCode()).isZero();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            lines.add("{\"prompt\": \"Question " + i + ": what colour is the sky?\", \"response\": \" The sky is blue.\"}");
        }
        Path data = dir.resolve("train.jsonl");
        Files.write(data, lines);
        Path eval = dir.resolve("eval.jsonl");
        Files.write(eval, lines.subList(0, 3));
        Path adapter = dir.resolve("adapter");
        Run train = fedex("lm", "train", "--model", model.toString(), "--data", data.toString(), "--eval-data",
                eval.toString(), "--targets", "q_proj,v_proj,o_proj,down_proj", "--lr", "1e-2", "--steps", "30",
                "--batch-size", "4", "--accumulation", "2", "--out", adapter.toString());
        assertThat(train.exitCode()).as(train.stderr()).isZero();
        assertThat(train.stdout()).contains("exact match of greedy responses: 1.0000");
        assertThat(PeftAdapters.read(adapter).layers()).containsKey("model.layers.1.self_attn.q_proj");

        Run gen = fedex("lm", "generate", "--model", model.toString(), "--adapter", adapter.toString(), "--prompt",
                "Question 99: what colour is the sky?", "--max-new-tokens", "12");
        assertThat(gen.exitCode()).as(gen.stderr()).isZero();
        assertThat(gen.stdout().trim()).isEqualTo("The sky is blue.");

        Files.writeString(data, lines.get(0) + "\n{\"prompt\": \"p\"}\n");
        Run bad = fedex("lm", "train", "--model", model.toString(), "--data", data.toString(), "--out",
                adapter.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stderr()).contains("train.jsonl:2: field 'response'");
        bad = fedex("lm", "train", "--model", model.toString(), "--data", eval.toString(), "--targets", "query",
                "--out", adapter.toString());
        assertThat(bad.stderr()).contains("--targets: 'query' is not one of");
    }
}
