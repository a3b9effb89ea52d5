package dev.fedexlora.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;

/** What each overlay changes, and that it changes nothing else by accident. */
class OverlaysUnitTests {

    private static final Manifests BASE = Manifests.render("k8s/base");
    private static final Manifests DEV = Manifests.render("k8s/overlays/dev");
    private static final Manifests PRODUCTION = Manifests.render("k8s/overlays/production");
    private static final Manifests GPU = Manifests.render("k8s/overlays/gpu");

    private static final List<String> SECRETS = List.of("postgres-credentials", "object-store-credentials",
            "coordinator-secrets", "registry-secrets", "worker-secrets");

    @Test
    void baseNamesNoNamespaceAndEachOverlayPutsEverythingInItsOwn() {
        assertThat(BASE.objects()).allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isNull());
        assertThat(BASE.all(Namespace.class)).isEmpty();
        for (var overlay : Map.of(DEV, "fedex-dev", PRODUCTION, "fedex", GPU, "fedex").entrySet()) {
            assertThat(overlay.getKey().get(Namespace.class, overlay.getValue())).isNotNull();
            assertThat(overlay.getKey().objects()).filteredOn(o -> !(o instanceof Namespace))
                    .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).as(describe(o))
                            .isEqualTo(overlay.getValue()));
        }
        assertThat(DEV.objects()).hasSize(BASE.objects().size() + 1);
        // The namespace, the Ingress, the workers' public egress, the autoscaler and two monitors.
        assertThat(PRODUCTION.objects()).hasSize(BASE.objects().size() + 6);
        assertThat(GPU.objects()).hasSize(PRODUCTION.objects().size());
    }

    @Test
    void baseSecretsHoldOnlyPlaceholdersSoNoTokenIsAcceptedUntilReplaced() {
        for (String name : SECRETS) {
            Map<String, String> values = BASE.get(Secret.class, name).getStringData();
            assertThat(values).as(name).isNotEmpty();
            values.forEach((k, v) -> {
                if (k.endsWith("PASSWORD") || k.endsWith("SECRET_KEY") || k.contains("TOKEN")) {
                    assertThat(v).as(name + " " + k).startsWith("REPLACE_ME");
                }
            });
        }
    }

    @Test
    void eachPartyReadsOnlyItsOwnSecretAndWorkersHoldNothingButTheirToken() {
        Map<String, String> owner = new HashMap<>();
        for (Manifests.Workload w : BASE.workloads()) {
            for (Container c : w.template().getSpec().getContainers()) {
                for (EnvFromSource from : Objects.requireNonNullElse(c.getEnvFrom(), List.<EnvFromSource>of())) {
                    if (from.getSecretRef() != null) {
                        String previous = owner.put(from.getSecretRef().getName(), w.describe());
                        assertThat(previous).as("Secret %s read by %s and %s", from.getSecretRef().getName(),
                                previous, w.describe()).isNull();
                    }
                }
                assertThat(Objects.requireNonNullElse(c.getEnv(), List.<io.fabric8.kubernetes.api.model.EnvVar>of()))
                        .as(w.describe() + " takes no key from another party's Secret")
                        .allSatisfy(e -> assertThat(e.getValueFrom() == null
                                || e.getValueFrom().getSecretKeyRef() == null).isTrue());
            }
        }
        assertThat(owner).containsOnlyKeys(SECRETS);
        assertThat(owner.get("worker-secrets")).isEqualTo("Deployment/worker");
        assertThat(BASE.get(Secret.class, "worker-secrets").getStringData()).containsOnlyKeys("FEDEX_WORKER_TOKEN");
    }

    @Test
    void devSecretsAreConsistentAcrossPartiesAndMatchTheServicesDevDefaults() {
        Map<String, Map<String, String>> dev = new HashMap<>();
        for (String name : SECRETS) {
            Map<String, String> values = DEV.get(Secret.class, name).getStringData();
            assertThat(values.keySet()).as(name).isEqualTo(BASE.get(Secret.class, name).getStringData().keySet());
            assertThat(values.values()).as(name).noneMatch(v -> v.startsWith("REPLACE_ME"));
            dev.put(name, values);
        }
        Map<String, String> coordinator = dev.get("coordinator-secrets");
        assertThat(Hashes.sha256(dev.get("worker-secrets").get("FEDEX_WORKER_TOKEN")))
                .isEqualTo(coordinator.get("FEDEX_COORDINATOR_SECURITY_WORKERS_0_SHA256"));
        assertThat(coordinator.get("FEDEX_SUBMITTER_TOKEN_SHA256")).isEqualTo(Hashes.sha256("dev-submitter"));
        assertThat(coordinator.get("FEDEX_VIEWER_TOKEN_SHA256")).isEqualTo(Hashes.sha256("dev-viewer"));
        // the coordinator presents the registry's publisher token, and only that role's
        Map<String, String> registry = dev.get("registry-secrets");
        assertThat(Hashes.sha256(coordinator.get("FEDEX_REGISTRY_TOKEN")))
                .isEqualTo(registry.get("FEDEX_REGISTRY_PUBLISHER_TOKEN_SHA256"))
                .isNotEqualTo(registry.get("FEDEX_REGISTRY_ADMIN_TOKEN_SHA256"));
        assertThat(registry.get("FEDEX_REGISTRY_READER_TOKEN_SHA256")).isEqualTo(Hashes.sha256("dev-registry-reader"));
        assertThat(registry.get("FEDEX_REGISTRY_ADMIN_TOKEN_SHA256")).isEqualTo(Hashes.sha256("dev-registry-admin"));
        for (String service : List.of("coordinator-secrets", "registry-secrets")) {
            Map<String, String> values = dev.get(service);
            assertThat(values.get("FEDEX_S3_ACCESS_KEY")).as(service)
                    .isEqualTo(dev.get("object-store-credentials").get("S3_PLATFORM_ACCESS_KEY"));
            assertThat(values.get("FEDEX_S3_SECRET_KEY")).as(service)
                    .isEqualTo(dev.get("object-store-credentials").get("S3_PLATFORM_SECRET_KEY"));
            assertThat(values.get("FEDEX_DB_USER")).isEqualTo(dev.get("postgres-credentials").get("POSTGRES_USER"));
            assertThat(values.get("FEDEX_DB_PASSWORD"))
                    .isEqualTo(dev.get("postgres-credentials").get("POSTGRES_PASSWORD"));
        }
        // The S3 server writes these into JSON: nothing that would need escaping.
        assertThat(dev.get("object-store-credentials").values()).allMatch(v -> v.matches("[A-Za-z0-9+/=_-]+"));
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
        assertThat(storage(DEV, "postgres")).isEqualTo(new Quantity("2Gi"));
        assertThat(storage(DEV, "seaweedfs")).isEqualTo(new Quantity("8Gi"));
        assertThat(bytes(storage(DEV, "seaweedfs"))).isLessThan(bytes(storage(BASE, "seaweedfs")));
    }

    @Test
    void gpuWorkersRequestOneNvidiaGpuOnGpuNodesWithTheGpuImageAndDownloadNothing() {
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
        // libtorch is in the image: DJL stays offline and its cache holds only the JNI library.
        assertThat(GPU.get(ConfigMap.class, "worker-config").getData()).containsEntry("DJL_OFFLINE", "true")
                .doesNotContainKeys("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR");
        Map<String, Volume> gpuVolumes = volumes(worker);
        Map<String, Volume> cpuVolumes = volumes(PRODUCTION.get(Deployment.class, "worker"));
        assertThat(gpuVolumes.keySet()).isEqualTo(cpuVolumes.keySet());
        assertThat(gpuVolumes.get("djl-cache").getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("256Mi"));
        gpuVolumes.forEach((name, volume) -> {
            if (!name.equals("djl-cache")) {
                assertThat(volume).as(name + " untouched by the GPU patch").isEqualTo(cpuVolumes.get(name));
            }
        });
        // Still selected by its Deployment, its disruption budget and its network policies after the label patch.
        assertThat(worker.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/name", "worker")
                .containsEntry("fedex-lora.dev/accelerator", "nvidia-gpu");
    }

    @Test
    void onlyTheGpuOverlayAsksForGpusOrChangesImages() {
        for (Manifests m : List.of(BASE, DEV, PRODUCTION)) {
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
            Manifests.Workload production = PRODUCTION.workloads().stream()
                    .filter(b -> b.describe().equals(w.describe())).findFirst().orElseThrow();
            assertThat(w.template().getSpec()).as(w.describe()).isEqualTo(production.template().getSpec());
        }
        assertThat(Set.copyOf(GPU.objects().stream().map(OverlaysUnitTests::describe).toList()))
                .isEqualTo(Set.copyOf(PRODUCTION.objects().stream().map(OverlaysUnitTests::describe).toList()));
    }

    private static Map<String, Volume> volumes(Deployment d) {
        Map<String, Volume> byName = new HashMap<>();
        d.getSpec().getTemplate().getSpec().getVolumes().forEach(v -> byName.put(v.getName(), v));
        return byName;
    }

    private static Quantity storage(Manifests m, String statefulSet) {
        return m.get(StatefulSet.class, statefulSet).getSpec().getVolumeClaimTemplates().getFirst().getSpec()
                .getResources().getRequests().get("storage");
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
