package dev.fedexlora.train.decoder;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch reference ({@code bench/torch_causal_lm.py}) run by the python of {@code FEDEX_TORCH_PYTHON}, or of
 * the virtualenv {@code bench/setup-torch-venv.sh} makes by default ({@code /tmp/torchenv}). Tests that need it
 * are skipped, with the reason, where that python cannot import torch; CI installs it.
 */
final class TorchReference {

    static final Path SCRIPT = Path.of("..", "bench", "torch_causal_lm.py").toAbsolutePath().normalize();
    private static Boolean available;

    private TorchReference() {
    }

    static String python() {
        String env = System.getenv("FEDEX_TORCH_PYTHON");
        return env != null && !env.isBlank() ? env : "/tmp/torchenv/bin/python";
    }

    static synchronized void assumeAvailable() {
        if (available == null) {
            try {
                Process p = new ProcessBuilder(python(), "-c", "import torch").redirectErrorStream(true).start();
                available = p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                available = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                available = false;
            }
        }
        assumeTrue(available, "PyTorch reference not available: " + python() + " cannot import torch (set "
                + "FEDEX_TORCH_PYTHON, or run bench/setup-torch-venv.sh)");
    }

    static void run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python(), SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("reference failed: " + String.join(" ", cmd) + "\n" + out);
        }
    }

    /** A real tokenizer.json from {@code scripts/fetch-tokenizers.sh}; the test is skipped when it was not run. */
    static Path tokenizer(String name) {
        String dir = System.getenv("FEDEX_TOKENIZERS_DIR");
        Path base = dir != null && !dir.isBlank() ? Path.of(dir) : Path.of("..", ".cache", "tokenizers");
        Path file = base.resolve(name).resolve("tokenizer.json").toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(file), "no " + file + ": run scripts/fetch-tokenizers.sh");
        return file;
    }
}
