package dev.fedexlora.cli.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fedexlora.cli.FedexCommand;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code fedex aggregate} on adapters in the layout Python PEFT writes (lora-core's fixtures). */
class AggregateCommandIntegrationTests {

    static final Path PEFT = Path.of("../lora-core/src/test/resources/peft");

    @TempDir
    Path out;

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
    void fedexOutputEqualsTheWeightedAverageOfTheClientUpdates() throws Exception {
        Run run = fedex("aggregate", "--method", "fedex", "--weights", "1,2,3", "--base", PEFT + "/base.safetensors",
                "--out", out.toString(), PEFT + "/client1", PEFT + "/client2", PEFT + "/client3");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("FEDEX over 3 clients");

        TensorFile base = SafeTensors.read(PEFT.resolve("base.safetensors"));
        TensorFile newBase = SafeTensors.read(out.resolve("base.safetensors"));
        assertThat(newBase.tensors().keySet()).isEqualTo(base.tensors().keySet());
        LoraAdapter global = PeftAdapters.read(out);
        List<LoraAdapter> clients = List.of(PeftAdapters.read(PEFT.resolve("client1")),
                PeftAdapters.read(PEFT.resolve("client2")), PeftAdapters.read(PEFT.resolve("client3")));
        double[] p = {1 / 6.0, 2 / 6.0, 3 / 6.0};

        for (String module : global.layers().keySet()) {
            String key = module.substring("bert.".length()) + ".weight";
            // (W0' + s·B̄Ā) − (W0 + Σ pᵢsᵢBᵢAᵢ), densely in fp64
            double[] got = dense(Matrix.of(newBase.tensor(key)));
            add(got, global.layer(module).b(), global.layer(module).a(), global.scale(module));
            double[] ideal = dense(Matrix.of(base.tensor(key)));
            double[] update = new double[ideal.length];
            for (int i = 0; i < clients.size(); i++) {
                add(update, clients.get(i).layer(module).b(), clients.get(i).layer(module).a(),
                        p[i] * clients.get(i).scale(module));
            }
            double diff = 0;
            double norm = 0;
            for (int j = 0; j < ideal.length; j++) {
                double e = got[j] - (ideal[j] + update[j]);
                diff += e * e;
                norm += update[j] * update[j];
            }
            assertThat(Math.sqrt(diff / norm)).as(module).isLessThan(1e-5);
        }
        String report = Files.readString(out.resolve("report.json"));
        assertThat(report).contains("\"method\" : \"FEDEX\"").contains("\"exactnessError\"").contains("\"residualWidth\"");
        assertThat(out.resolve("residual.safetensors")).exists();
    }

    @Test
    void fedItLeavesTheBaseUnchangedAndReportsItsDeviation() throws Exception {
        Run run = fedex("aggregate", "--method", "fedit", "--base", PEFT + "/base.safetensors", "--out", out.toString(),
                PEFT + "/client1", PEFT + "/client2");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        TensorFile base = SafeTensors.read(PEFT.resolve("base.safetensors"));
        TensorFile same = SafeTensors.read(out.resolve("base.safetensors"));
        for (String key : base.tensors().keySet()) {
            assertThat(same.tensor(key).toFloatArray()).containsExactly(base.tensor(key).toFloatArray());
        }
        assertThat(Files.readString(out.resolve("report.json"))).contains("\"method\" : \"FEDIT\"");
    }

    @Test
    void refusedInputNamesTheProblemAndWritesNothing() {
        Run ffa = fedex("aggregate", "--method", "ffa", "--base", PEFT + "/base.safetensors", "--out",
                out.resolve("x").toString(), PEFT + "/client1", PEFT + "/client2");
        assertThat(ffa.exitCode()).isEqualTo(1);
        assertThat(ffa.stderr()).contains("FFA needs one frozen lora_A").contains("client2");
        assertThat(out.resolve("x")).doesNotExist();

        Run missing = fedex("aggregate", "--base", PEFT + "/base.safetensors", "--out", out.toString(), out.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("adapter_config.json is missing");

        Run method = fedex("aggregate", "--method", "median", "--base", PEFT + "/base.safetensors", "--out", out.toString(),
                PEFT + "/client1");
        assertThat(method.exitCode()).isEqualTo(2);
        assertThat(method.stderr()).contains("--method must be fedex, fedit or ffa");

        Run badBase = fedex("aggregate", "--base", PEFT + "/client1/adapter_config.json", "--out", out.toString(),
                PEFT + "/client1");
        assertThat(badBase.exitCode()).isEqualTo(1);
        assertThat(badBase.stderr()).contains("adapter_config.json");
    }

    private static double[] dense(Matrix m) {
        double[] d = new double[m.data().length];
        for (int i = 0; i < d.length; i++) {
            d[i] = m.data()[i];
        }
        return d;
    }

    /** acc += scale · b·a */
    private static void add(double[] acc, Matrix b, Matrix a, double scale) {
        for (int i = 0; i < b.rows(); i++) {
            for (int p = 0; p < b.cols(); p++) {
                double v = scale * b.get(i, p);
                for (int j = 0; j < a.cols(); j++) {
                    acc[i * a.cols() + j] += v * a.get(p, j);
                }
            }
        }
    }
}
