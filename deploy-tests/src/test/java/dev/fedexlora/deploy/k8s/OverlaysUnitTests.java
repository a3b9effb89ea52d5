package dev.fedexlora.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;

/** What each overlay changes, and that it changes nothing else by accident. */
class OverlaysUnitTests {

    private static final Manifests BASE = Manifests.render("k8s/base");
    private static final Manifests DEV = Manifests.render("k8s/overlays/dev");
    private static final Manifests GPU = Manifests.render("k8s/overlays/gpu");

    @Test
    void baseNamesNoNamespaceAndEachOverlayPutsEverythingInItsOwn() {
        assertThat(BASE.objects()).allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isNull());
        assertThat(BASE.all(Namespace.class)).isEmpty();
        for (var overlay : Map.of(DEV, "fedex-dev", GPU, "fedex").entrySet()) {
            assertThat(overlay.getKey().get(Namespace.class, overlay.getValue())).isNotNull();
            assertThat(overlay.getKey().objects()).filteredOn(o -> !(o instanceof Namespace))
                    .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).as(describe(o))
                            .isEqualTo(overlay.getValue()));
            assertThat(overlay.getKey().objects()).hasSize(BASE.objects().size() + 1);
        }
    }

    @Test
    void baseSecretHoldsOnlyPlaceholdersSoNoTokenIsAcceptedUntilReplaced() {
        Map<String, String> values = BASE.get(Secret.class, "fedex-secrets").getStringData();
        assertThat(values).containsKeys("POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "S3_SECRET_KEY", "WORKER_TOKEN",
                "SUBMITTER_TOKEN_SHA256", "WORKER_TOKEN_SHA256", "VIEWER_TOKEN_SHA256");
        values.forEach((k, v) -> {
            if (k.endsWith("PASSWORD") || k.endsWith("SECRET_KEY") || k.contains("TOKEN")) {
                assertThat(v).as(k).startsWith("REPLACE_ME");
            }
        });
    }

    @Test
    void devSecretsAreConsistentWorkerTokenAndHashAndMatchTheServicesDevDefaults() {
        Map<String, String> values = DEV.get(Secret.class, "fedex-secrets").getStringData();
        assertThat(values.keySet()).isEqualTo(BASE.get(Secret.class, "fedex-secrets").getStringData().keySet());
        assertThat(values.values()).noneMatch(v -> v.startsWith("REPLACE_ME"));
        assertThat(Hashes.sha256(values.get("WORKER_TOKEN"))).isEqualTo(values.get("WORKER_TOKEN_SHA256"));
        assertThat(values.get("SUBMITTER_TOKEN_SHA256")).isEqualTo(Hashes.sha256("dev-submitter"));
        assertThat(values.get("VIEWER_TOKEN_SHA256")).isEqualTo(Hashes.sha256("dev-viewer"));
    }

    @Test
    void devShrinksReplicasRequestsAndVolumesButKeepsLimits() {
        assertThat(DEV.get(Deployment.class, "registry").getSpec().getReplicas()).isEqualTo(1);
        assertThat(DEV.get(Deployment.class, "worker").getSpec().getReplicas()).isEqualTo(2);
        for (String name : List.of("coordinator", "registry", "worker")) {
            Container dev = container(DEV.get(Deployment.class, name));
            Container base = container(BASE.get(Deployment.class, name));
            assertThat(bytes(dev.getResources().getRequests().get("memory"))).as(name)
                    .isLessThan(bytes(base.getResources().getRequests().get("memory")));
            assertThat(dev.getResources().getLimits()).as(name).isEqualTo(base.getResources().getLimits());
            assertThat(dev.getImage()).isEqualTo(base.getImage());
        }
        for (String name : List.of("postgres", "minio")) {
            assertThat(DEV.get(StatefulSet.class, name).getSpec().getVolumeClaimTemplates().getFirst().getSpec()
                    .getResources().getRequests().get("storage")).as(name).isEqualTo(new Quantity("2Gi"));
        }
    }

    @Test
    void gpuWorkersRequestOneNvidiaGpuOnGpuNodesWithTheGpuImage() {
        Deployment worker = GPU.get(Deployment.class, "worker");
        Container c = container(worker);
        assertThat(c.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(c.getResources().getRequests()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(c.getImage()).isEqualTo("fedex-lora/worker-service:0.1.0-SNAPSHOT-gpu");
        var pod = worker.getSpec().getTemplate().getSpec();
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        assertThat(pod.getTolerations()).anySatisfy(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        // No libtorch jar in the GPU image: DJL may download the CUDA build at start (docs/images.md).
        assertThat(GPU.get(io.fabric8.kubernetes.api.model.ConfigMap.class, "worker-config").getData())
                .containsEntry("DJL_OFFLINE", "false");
        assertThat(BASE.get(io.fabric8.kubernetes.api.model.ConfigMap.class, "worker-config").getData())
                .containsEntry("DJL_OFFLINE", "true");
        // Still selected by its Deployment, its disruption budget and its network policy after the label patch.
        assertThat(worker.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/name", "worker")
                .containsEntry("fedex-lora.dev/accelerator", "nvidia-gpu");
    }

    @Test
    void onlyTheGpuOverlayAsksForGpusOrChangesImages() {
        for (Manifests m : List.of(BASE, DEV)) {
            for (Manifests.Workload w : m.workloads()) {
                for (Container c : w.template().getSpec().getContainers()) {
                    assertThat(c.getResources().getLimits()).as(m + " " + w.describe())
                            .doesNotContainKey("nvidia.com/gpu");
                }
            }
        }
        for (Manifests.Workload w : GPU.workloads()) {
            if (w.owner().getMetadata().getName().equals("worker")) {
                continue;
            }
            Manifests.Workload base = BASE.workloads().stream()
                    .filter(b -> b.describe().equals(w.describe())).findFirst().orElseThrow();
            assertThat(w.template().getSpec()).as(w.describe()).isEqualTo(base.template().getSpec());
        }
    }

    private static Container container(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    private static java.math.BigDecimal bytes(Quantity q) {
        return Quantity.getAmountInBytes(q);
    }

    private static String describe(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getName();
    }
}
