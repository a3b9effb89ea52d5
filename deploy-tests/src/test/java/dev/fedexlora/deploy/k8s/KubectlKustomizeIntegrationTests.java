package dev.fedexlora.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.fedexlora.deploy.RepositoryFiles;
import dev.fedexlora.deploy.Executables;
import tools.jackson.databind.JsonNode;

/**
 * Where {@code kubectl} is installed (it needs no cluster for this), the real kustomize must render exactly what
 * {@link KustomizeRenderer} renders: the same objects with the same content. Skipped, by assumption, without kubectl.
 */
class KubectlKustomizeIntegrationTests {

    @ParameterizedTest
    @ValueSource(strings = {"k8s/base", "k8s/overlays/dev", "k8s/overlays/production", "k8s/overlays/gpu"})
    void kubectlKustomizeRendersTheSameObjects(String kustomization, @org.junit.jupiter.api.io.TempDir Path tmp)
            throws IOException, InterruptedException {
        assumeTrue(Executables.onPath("kubectl"), "kubectl is not installed: the Java rendering stands alone");
        Path out = tmp.resolve("rendered.yaml");
        Process p = new ProcessBuilder("kubectl", "kustomize", RepositoryFiles.resolve(kustomization).toString())
                .redirectOutput(out.toFile()).redirectErrorStream(false).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getErrorStream().readAllBytes())).isZero();

        Map<String, JsonNode> expected = byKey(KustomizeRenderer.read(out));
        Map<String, JsonNode> actual = byKey(KustomizeRenderer.render(RepositoryFiles.resolve(kustomization)));
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, node) -> assertThat(actual.get(key)).as(key).isEqualTo(node));
        assertThat(Files.size(out)).isPositive();
    }

    private static Map<String, JsonNode> byKey(java.util.List<KustomizeRenderer.Document> docs) {
        return docs.stream().collect(Collectors.toMap(
                d -> d.kind() + "/" + d.node().path("metadata").path("namespace").asString("") + "/" + d.name(),
                KustomizeRenderer.Document::node, (a, b) -> {
                    throw new AssertionError("duplicate object " + a);
                }, TreeMap::new));
    }
}
