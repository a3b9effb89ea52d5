package dev.fedexlora.deploy.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.fedexlora.deploy.RepositoryFiles;

/**
 * The GPU worker image Jib writes, read from its tarball: its name, configuration and jars. The tarball comes from
 * the gpu profile on a scratch base, which needs no registry or Docker ({@code .ci/run} builds it):
 * <pre>./mvnw -B -Pgpu -pl worker-service -am package -DskipTests -Djib.from.image=scratch</pre>
 * Skipped, by assumption, where it has not been built.
 */
class GpuWorkerImageIntegrationTests {

    private static final Path TAR = RepositoryFiles.resolve("worker-service/target/jib-gpu-image.tar");
    private static final JsonMapper JSON = new JsonMapper();

    @Test
    void theImageRunsTheWorkerOnTheBaseImagesCudaLibtorchWithoutTheCpuJar() throws IOException {
        assumeTrue(Files.isRegularFile(TAR), "no " + TAR + ": build it with -Pgpu -Djib.from.image=scratch");
        Map<String, byte[]> entries = entries(Files.newInputStream(TAR), false);
        JsonNode manifest = JSON.readTree(entries.get("manifest.json")).get(0);
        String version = PomFile.text(PomFile.of(".").root(), "version");
        assertThat(manifest.get("RepoTags").get(0).asString()).isEqualTo("fedex-lora/worker-service:" + version + "-gpu");

        JsonNode config = JSON.readTree(entries.get(manifest.get("Config").asString())).get("config");
        List<String> env = new ArrayList<>();
        config.get("Env").forEach(e -> env.add(e.asString()));
        GpuWorkerImageUnitTests.environment().forEach((k, v) -> assertThat(env).contains(k + "=" + v));
        assertThat(env).contains("DJL_OFFLINE=true");
        assertThat(config.get("User").asString()).isEqualTo("1000:1000");
        assertThat(config.get("Entrypoint").toString()).contains("dev.fedexlora.worker.WorkerApplication");
        assertThat(config.get("ExposedPorts").has("8082/tcp")).isTrue();

        List<String> files = new ArrayList<>();
        for (JsonNode layer : manifest.get("Layers")) {
            files.addAll(entries(new java.io.ByteArrayInputStream(entries.get(layer.asString())), true).keySet());
        }
        assertThat(files).anyMatch(f -> f.matches("app/libs/pytorch-jni-.*\\.jar"))
                .anyMatch(f -> f.matches("app/libs/pytorch-engine-.*\\.jar"))
                .noneMatch(f -> f.contains("pytorch-native-cpu"))
                .anyMatch(f -> f.startsWith("opt/fedex/datasets/"));
    }

    /** Entries of a (gzipped) tar by name; layer contents are listed with empty bodies. */
    private static Map<String, byte[]> entries(InputStream in, boolean gzipped) throws IOException {
        Map<String, byte[]> result = new HashMap<>();
        try (InputStream tar = gzipped ? new GZIPInputStream(in) : in) {
            byte[] header = new byte[512];
            while (tar.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = cString(header, 0, 100);
                String prefix = cString(header, 345, 155);
                long size = Long.parseLong(cString(header, 124, 12).trim().isEmpty() ? "0"
                        : cString(header, 124, 12).trim(), 8);
                byte[] body = gzipped ? new byte[0] : tar.readNBytes((int) size);
                if (gzipped) {
                    tar.skipNBytes(size);
                }
                tar.skipNBytes((512 - size % 512) % 512);
                String full = prefix.isEmpty() ? name : prefix + "/" + name;
                result.put(full.startsWith("./") ? full.substring(2) : full, body);
            }
        }
        return result;
    }

    private static String cString(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
