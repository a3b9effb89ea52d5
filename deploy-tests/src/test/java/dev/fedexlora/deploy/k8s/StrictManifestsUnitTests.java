package dev.fedexlora.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fedexlora.deploy.RepositoryFiles;

/** The checks are only worth something if they fail: mistakes a reviewer would miss make rendering fail. */
class StrictManifestsUnitTests {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: demo
            spec:
              replicas: %s
              selector:
                matchLabels: {app: demo}
              template:
                metadata:
                  labels: {app: demo}
                spec:
                  containers:
                    - name: demo
                      image: demo:1
                      %s
                      ports:
                        - containerPort: %s
                      resources:
                        limits: {memory: %s}
            """;

    @TempDir
    Path dir;

    @Test
    void aWellFormedDeploymentParsesIntoTheTypedModel() throws IOException {
        Deployment d = (Deployment) parseOne(DEPLOYMENT.formatted("2", "imagePullPolicy: Always", "8080", "1Gi"));
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getPorts().getFirst()
                .getContainerPort()).isEqualTo(8080);
    }

    @Test
    void anUnknownOrMisspelledFieldFailsWithItsPath() {
        assertThatThrownBy(() -> parseOne(DEPLOYMENT.formatted("2", "imagePullPolicyy: Always", "8080", "1Gi")))
                .isInstanceOf(StrictManifests.InvalidManifestException.class)
                .hasMessageContaining("Deployment/demo.spec.template.spec.containers[0].imagePullPolicyy");
    }

    @Test
    void aWronglyTypedValueFails() {
        assertThatThrownBy(() -> parseOne(DEPLOYMENT.formatted("\"two\"", "", "8080", "1Gi")))
                .isInstanceOf(StrictManifests.InvalidManifestException.class).hasMessageContaining("replicas");
        assertThatThrownBy(() -> parseOne(DEPLOYMENT.formatted("\"2\"", "", "8080", "1Gi")))
                .as("a quoted number is a string, and the API wants an integer")
                .isInstanceOf(StrictManifests.InvalidManifestException.class).hasMessageContaining("replicas");
        assertThatThrownBy(() -> parseOne(DEPLOYMENT.formatted("2", "", "http", "1Gi")))
                .isInstanceOf(StrictManifests.InvalidManifestException.class).hasMessageContaining("containerPort");
        assertThatThrownBy(() -> parseOne(DEPLOYMENT.formatted("2", "", "8080", "lots")))
                .isInstanceOf(StrictManifests.InvalidManifestException.class).hasMessageContaining("memory");
    }

    @Test
    void anUnknownKindFails() {
        assertThatThrownBy(() -> parseOne("apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: x}\n"))
                .isInstanceOf(StrictManifests.InvalidManifestException.class)
                .hasMessageContaining("unsupported apiVersion/kind apps/v1beta1/Deployment");
    }

    @Test
    void aKustomizeFeatureTheRendererDoesNotImplementFails() throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources: [deployment.yaml]
                commonLabels: {team: ml}
                """);
        Files.writeString(dir.resolve("deployment.yaml"), DEPLOYMENT.formatted("1", "", "80", "1Gi"));
        assertThatThrownBy(() -> KustomizeRenderer.render(dir))
                .isInstanceOf(StrictManifests.InvalidManifestException.class).hasMessageContaining("commonLabels");
    }

    @Test
    void aPatchOfAMissingTargetOrPathFails() throws IOException {
        Path overlay = Files.createDirectories(dir.resolve("overlay"));
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources: [%s]
                patches:
                  - path: patch.yaml
                    target: {kind: Deployment, name: %s}
                """.formatted(RepositoryFiles.resolve("k8s/base"), "workers"));
        Files.writeString(overlay.resolve("patch.yaml"), "- op: replace\n  path: /spec/replicas\n  value: 5\n");
        assertThatThrownBy(() -> KustomizeRenderer.render(overlay))
                .isInstanceOf(StrictManifests.InvalidManifestException.class)
                .hasMessageContaining("Deployment/workers matches 0 resources");

        Files.writeString(overlay.resolve("kustomization.yaml"),
                Files.readString(overlay.resolve("kustomization.yaml")).replace("workers", "worker"));
        Files.writeString(overlay.resolve("patch.yaml"),
                "- op: replace\n  path: /spec/template/spec/containers/3/image\n  value: x:1\n");
        assertThatThrownBy(() -> KustomizeRenderer.render(overlay))
                .isInstanceOf(StrictManifests.InvalidManifestException.class)
                .hasMessageContaining("cannot apply to Deployment/worker");
    }

    @Test
    void imageReferencesSplitIntoNameAndTagLikeKustomize() {
        assertThat(KustomizeRenderer.imageName("fedex-lora/worker-service:0.1.0")).isEqualTo("fedex-lora/worker-service");
        assertThat(KustomizeRenderer.imageName("registry.local:5000/fedex-lora/x")).isEqualTo("registry.local:5000/fedex-lora/x");
        assertThat(KustomizeRenderer.imageName("postgres:18@sha256:abc")).isEqualTo("postgres");
    }

    private static final String SERVICE_MONITOR = """
            apiVersion: monitoring.coreos.com/v1
            kind: ServiceMonitor
            metadata:
              name: demo
            spec:
              selector:
                matchLabels: {app: demo}
              endpoints:
                - port: http
                  %s
            """;

    @Test
    void aServiceMonitorParsesIntoItsTypedModel() throws IOException {
        var monitor = (PrometheusOperatorResources.ServiceMonitor) parseOne(SERVICE_MONITOR.formatted(
                "interval: 30s\n      scrapeTimeout: 10s\n      path: /actuator/prometheus"));
        assertThat(monitor.getSpec().endpoints()).singleElement().satisfies(e -> {
            assertThat(e.port()).isEqualTo("http");
            assertThat(e.interval()).isEqualTo("30s");
        });
        assertThat(monitor.getSpec().selector().getMatchLabels()).containsEntry("app", "demo");
    }

    @Test
    void aServiceMonitorBreakingItsCrdFails() {
        assertThatThrownBy(() -> parseOne(SERVICE_MONITOR.formatted("intervall: 30s")))
                .isInstanceOf(StrictManifests.InvalidManifestException.class).hasMessageContaining("intervall");
        assertThatThrownBy(() -> parseOne(SERVICE_MONITOR.formatted("interval: 30 seconds")))
                .isInstanceOf(StrictManifests.InvalidManifestException.class)
                .hasMessageContaining("not a Prometheus duration");
        assertThatThrownBy(() -> parseOne(SERVICE_MONITOR.formatted("interval: 10s\n      scrapeTimeout: 1m")))
                .isInstanceOf(StrictManifests.InvalidManifestException.class)
                .hasMessageContaining("longer than the interval");
        assertThatThrownBy(() -> parseOne(SERVICE_MONITOR.formatted("path: actuator/prometheus")))
                .isInstanceOf(StrictManifests.InvalidManifestException.class).hasMessageContaining("start with /");
        assertThatThrownBy(() -> parseOne(SERVICE_MONITOR.formatted("honorLabels: \"yes\"")))
                .isInstanceOf(StrictManifests.InvalidManifestException.class).hasMessageContaining("honorLabels");
        assertThatThrownBy(() -> parseOne(SERVICE_MONITOR.formatted("interval: 30s").replace("matchLabels",
                "matchLabel")))
                .isInstanceOf(StrictManifests.InvalidManifestException.class).hasMessageContaining("matchLabel");
    }

    @Test
    void aStrategicMergePatchMergesListsByNameAndPutsThePatchsItemsFirst() throws IOException {
        Path overlay = Files.createDirectories(dir.resolve("smp"));
        Files.writeString(overlay.resolve("deployment.yaml"), DEPLOYMENT.formatted("1", "", "80", "1Gi")
                + "      volumes:\n        - {name: a, emptyDir: {}}\n        - {name: b, emptyDir: {}}\n");
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources: [deployment.yaml]
                patches:
                  - path: patch.yaml
                """);
        Files.writeString(overlay.resolve("patch.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: demo}
                spec:
                  template:
                    spec:
                      containers:
                        - name: demo
                          resources: {limits: {cpu: "1"}}
                      volumes:
                        - {name: b, emptyDir: {sizeLimit: 1Gi}}
                """);
        Deployment d = (Deployment) StrictManifests.parse(KustomizeRenderer.render(overlay).getFirst().node(), "smp");
        var pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("b", "a");
        assertThat(pod.getVolumes().getFirst().getEmptyDir().getSizeLimit().toString()).isEqualTo("1Gi");
        assertThat(pod.getContainers()).singleElement().satisfies(c -> {
            assertThat(c.getImage()).isEqualTo("demo:1");
            assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");
        });

        Files.writeString(overlay.resolve("patch.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: demo}
                spec:
                  template:
                    spec:
                      volumes:
                        - {name: a, $patch: delete}
                """);
        assertThatThrownBy(() -> KustomizeRenderer.render(overlay))
                .isInstanceOf(StrictManifests.InvalidManifestException.class).hasMessageContaining("$patch");
    }

    @Test
    void aComponentMustDeclareItselfOne() throws IOException {
        Path overlay = Files.createDirectories(dir.resolve("uses-component"));
        Path component = Files.createDirectories(dir.resolve("component"));
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                components: [../component]
                """);
        Files.writeString(component.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                """);
        assertThatThrownBy(() -> KustomizeRenderer.render(overlay))
                .isInstanceOf(StrictManifests.InvalidManifestException.class).hasMessageContaining("Component");
    }

    private Object parseOne(String yaml) throws IOException {
        Path file = dir.resolve("doc.yaml");
        Files.writeString(file, yaml);
        List<KustomizeRenderer.Document> docs = KustomizeRenderer.read(file);
        assertThat(docs).hasSize(1);
        return StrictManifests.parse(docs.getFirst().node(), file.toString());
    }
}
