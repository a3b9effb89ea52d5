package dev.fedexlora.cli.train;

import dev.fedexlora.train.checkpoint.MiniLm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The base model that ships with the platform, all-MiniLM-L6-v2, converted once into a Hugging Face directory under
 * the cache ({@code $FEDEX_CACHE}, default {@code ~/.cache/fedex-lora}).
 */
public final class BundledModels {

    private BundledModels() {
    }

    public static Path cacheRoot() {
        String env = System.getenv("FEDEX_CACHE");
        return env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "fedex-lora");
    }

    /** The bundled MiniLM as config.json, model.safetensors and tokenizer.json, written on first use. */
    public static synchronized Path miniLm() throws IOException {
        Path dir = cacheRoot().resolve("models").resolve("all-minilm-l6-v2");
        if (Files.exists(dir.resolve(".complete"))) {
            return dir;
        }
        Files.createDirectories(dir.getParent());
        Path tmp = Files.createTempDirectory(dir.getParent(), ".minilm");
        try {
            MiniLm.exportHuggingFace(tmp);
            Files.writeString(tmp.resolve(".complete"), "");
            if (Files.exists(dir)) {
                delete(dir);
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(tmp)) {
                delete(tmp);
            }
        }
        return dir;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
