package dev.fedexlora.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.fedexlora.deploy.RepositoryFiles;
import dev.fedexlora.deploy.k8s.Manifests.Workload;

/**
 * What a reviewer checks in every rendering (base, dev, gpu): probes and limits on every container, selectors that
 * select, Services and NetworkPolicies that point at ports that exist, references to ConfigMaps and Secrets that
 * resolve, environment variables the services actually read, and pods that run as non-root.
 */
class RenderedManifestsUnitTests {

    static Stream<Manifests> renderings() {
        return Stream.of("k8s/base", "k8s/overlays/dev", "k8s/overlays/production", "k8s/overlays/gpu")
                .map(Manifests::render);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void rendersThePlatform(Manifests m) {
        assertThat(m.all(Deployment.class)).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder("coordinator", "registry", "worker");
        assertThat(m.all(StatefulSet.class)).extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("postgres", "seaweedfs");
        // The services create their bucket on start: no init job, no MinIO anywhere.
        assertThat(m.all(io.fabric8.kubernetes.api.model.batch.v1.Job.class)).isEmpty();
        assertThat(m.all(PodDisruptionBudget.class)).isNotEmpty();
        assertThat(m.all(NetworkPolicy.class)).isNotEmpty();
        assertThat(m.all(StatefulSet.class)).allSatisfy(s -> assertThat(s.getSpec().getVolumeClaimTemplates())
                .as("%s keeps its data on a PersistentVolumeClaim", s.getMetadata().getName()).isNotEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void workloadSelectorsSelectTheirOwnPods(Manifests m) {
        for (Deployment d : m.all(Deployment.class)) {
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).as("Deployment %s", d.getMetadata().getName())
                    .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
        }
        for (StatefulSet s : m.all(StatefulSet.class)) {
            assertThat(s.getSpec().getTemplate().getMetadata().getLabels()).as("StatefulSet %s", s.getMetadata().getName())
                    .containsAllEntriesOf(s.getSpec().getSelector().getMatchLabels());
            assertThat(m.find(Service.class, s.getSpec().getServiceName()))
                    .as("governing Service of StatefulSet %s", s.getMetadata().getName()).isPresent();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void everyContainerHasProbesAndBoundedResources(Manifests m) {
        for (Workload w : m.workloads()) {
            for (Container c : w.template().getSpec().getContainers()) {
                String what = w.describe() + " container " + c.getName();
                ResourceRequirements r = c.getResources();
                assertThat(r).as(what + " resources").isNotNull();
                for (String resource : List.of("cpu", "memory")) {
                    Quantity request = r.getRequests() == null ? null : r.getRequests().get(resource);
                    Quantity limit = r.getLimits() == null ? null : r.getLimits().get(resource);
                    assertThat(request).as(what + " requests " + resource).isNotNull();
                    assertThat(limit).as(what + " limits " + resource).isNotNull();
                    assertThat(Quantity.getAmountInBytes(limit)).as(what + " limit >= request for " + resource)
                            .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(request));
                }
                if (w.owner() instanceof io.fabric8.kubernetes.api.model.batch.v1.Job) {
                    continue;
                }
                assertThat(c.getLivenessProbe()).as(what + " liveness probe").isNotNull();
                assertThat(c.getReadinessProbe()).as(what + " readiness probe").isNotNull();
                List<Probe> probes = new ArrayList<>(List.of(c.getLivenessProbe(), c.getReadinessProbe()));
                Optional.ofNullable(c.getStartupProbe()).ifPresent(probes::add);
                for (Probe p : probes) {
                    if (p.getHttpGet() != null) {
                        assertThat(containerPort(c, p.getHttpGet().getPort()))
                                .as(what + " probe port " + p.getHttpGet().getPort()).isPresent();
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void platformServicesProbeActuatorHealthGroups(Manifests m) {
        for (Workload w : platformWorkloads(m)) {
            Container c = w.template().getSpec().getContainers().getFirst();
            assertThat(http(c.getLivenessProbe()).getPath()).as(w.describe()).isEqualTo("/actuator/health/liveness");
            assertThat(http(c.getReadinessProbe()).getPath()).as(w.describe()).isEqualTo("/actuator/health/readiness");
            assertThat(c.getStartupProbe()).as(w.describe() + " gives the JVM a startup probe").isNotNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void servicesSelectPodsAndTargetPortsTheyExpose(Manifests m) {
        for (Service s : m.all(Service.class)) {
            List<Workload> backends = m.workloadsMatching(s.getSpec().getSelector());
            assertThat(backends).as("pods behind Service " + s.getMetadata().getName()).isNotEmpty();
            for (ServicePort port : s.getSpec().getPorts()) {
                IntOrString target = port.getTargetPort() != null ? port.getTargetPort() : new IntOrString(port.getPort());
                for (Workload w : backends) {
                    assertThat(w.template().getSpec().getContainers().stream()
                            .flatMap(c -> containerPort(c, target).stream()).findAny())
                            .as("Service %s port %s targets a port of %s", s.getMetadata().getName(), port.getName(),
                                    w.describe())
                            .isPresent();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void disruptionBudgetsSelectReplicatedWorkloadsAndAllowDrains(Manifests m) {
        for (PodDisruptionBudget pdb : m.all(PodDisruptionBudget.class)) {
            List<Workload> selected = m.workloadsMatching(pdb.getSpec().getSelector().getMatchLabels());
            assertThat(selected).as("PDB " + pdb.getMetadata().getName()).hasSize(1);
            int replicas = Objects.requireNonNullElse(selected.getFirst().replicas(), 1);
            if (pdb.getSpec().getMinAvailable() != null) {
                assertThat(pdb.getSpec().getMinAvailable().getIntVal()).as("PDB %s leaves a pod to evict",
                        pdb.getMetadata().getName()).isLessThan(replicas);
            } else {
                assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).as("PDB %s", pdb.getMetadata().getName())
                        .isPositive();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void networkPoliciesDenyByDefaultAndOpenOnlyExistingPorts(Manifests m) {
        assertThat(m.all(NetworkPolicy.class)).anySatisfy(p -> {
            assertThat(p.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
            assertThat(p.getSpec().getPolicyTypes()).contains("Ingress");
            assertThat(p.getSpec().getIngress()).isNullOrEmpty();
        });
        for (NetworkPolicy p : m.all(NetworkPolicy.class)) {
            Map<String, String> selector = p.getSpec().getPodSelector().getMatchLabels();
            if (selector == null || selector.isEmpty()) {
                continue;
            }
            List<Workload> selected = m.workloadsMatching(selector);
            assertThat(selected).as("pods of NetworkPolicy " + p.getMetadata().getName()).isNotEmpty();
            for (var rule : p.getSpec().getIngress()) {
                for (NetworkPolicyPort port : rule.getPorts()) {
                    for (Workload w : selected) {
                        assertThat(w.template().getSpec().getContainers().stream()
                                .flatMap(c -> containerPort(c, port.getPort()).stream()).findAny())
                                .as("NetworkPolicy %s opens port %s of %s", p.getMetadata().getName(), port.getPort(),
                                        w.describe())
                                .isPresent();
                    }
                }
                for (NetworkPolicyPeer peer : Objects.requireNonNullElse(rule.getFrom(), List.<NetworkPolicyPeer>of())) {
                    if (peer.getPodSelector() != null && peer.getNamespaceSelector() == null) {
                        assertThat(m.workloadsMatching(peer.getPodSelector().getMatchLabels()))
                                .as("clients allowed by NetworkPolicy " + p.getMetadata().getName()).isNotEmpty();
                    }
                }
            }
        }
        // The database answers only the two services owning a schema; workers never reach it.
        NetworkPolicy postgres = m.get(NetworkPolicy.class, "postgres-clients");
        assertThat(postgres.getSpec().getIngress()).singleElement().satisfies(rule -> assertThat(rule.getFrom())
                .extracting(peer -> peer.getPodSelector().getMatchLabels().get("app.kubernetes.io/name"))
                .containsExactlyInAnyOrder("coordinator", "registry"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void configMapAndSecretReferencesResolve(Manifests m) {
        for (Workload w : m.workloads()) {
            for (Container c : w.template().getSpec().getContainers()) {
                for (EnvFromSource from : Objects.requireNonNullElse(c.getEnvFrom(), List.<EnvFromSource>of())) {
                    if (from.getConfigMapRef() != null) {
                        assertThat(m.find(ConfigMap.class, from.getConfigMapRef().getName()))
                                .as(w.describe() + " envFrom").isPresent();
                    }
                    if (from.getSecretRef() != null) {
                        assertThat(m.find(Secret.class, from.getSecretRef().getName())).as(w.describe()).isPresent();
                    }
                }
                for (EnvVar env : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
                    if (env.getValueFrom() == null) {
                        continue;
                    }
                    var secretRef = env.getValueFrom().getSecretKeyRef();
                    if (secretRef != null) {
                        Secret secret = m.get(Secret.class, secretRef.getName());
                        assertThat(secretKeys(secret)).as("%s env %s", w.describe(), env.getName())
                                .contains(secretRef.getKey());
                    }
                    var configRef = env.getValueFrom().getConfigMapKeyRef();
                    if (configRef != null) {
                        assertThat(m.get(ConfigMap.class, configRef.getName()).getData())
                                .as("%s env %s", w.describe(), env.getName()).containsKey(configRef.getKey());
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void platformContainersSetOnlyVariablesTheirServiceReads(Manifests m) {
        for (Workload w : platformWorkloads(m)) {
            Container c = w.template().getSpec().getContainers().getFirst();
            String module = module(c.getImage());
            assertThat(RepositoryFiles.resolve(module + "/pom.xml")).as("module of image " + c.getImage()).exists();
            List<String> names = new ArrayList<>();
            Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of()).forEach(e -> names.add(e.getName()));
            for (EnvFromSource from : Objects.requireNonNullElse(c.getEnvFrom(), List.<EnvFromSource>of())) {
                if (from.getConfigMapRef() != null) {
                    names.addAll(m.get(ConfigMap.class, from.getConfigMapRef().getName()).getData().keySet());
                } else {
                    names.addAll(secretKeys(m.get(Secret.class, from.getSecretRef().getName())));
                }
            }
            assertThat(names).as("%s: variables %s's application.yml (or Spring, DJL) reads", w.describe(), module)
                    .isNotEmpty()
                    .allMatch(n -> RepositoryFiles.isReadBy(module, n));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void podsRunAsNonRootWithoutAServiceAccountToken(Manifests m) {
        for (Workload w : m.workloads()) {
            var pod = w.template().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(w.describe()).isTrue();
            assertThat(pod.getAutomountServiceAccountToken()).as(w.describe()).isFalse();
            for (Container c : pod.getContainers()) {
                assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(w.describe()).isFalse();
                assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(w.describe()).contains("ALL");
                assertThat(c.getImage()).as(w.describe() + " pins its image").matches(".+:[^:/]+")
                        .doesNotEndWith(":latest");
                if (!c.getImage().startsWith("fedex-lora/")) {
                    assertThat(c.getImage()).as(w.describe() + ": a third-party image by tag and digest")
                            .matches("[a-z0-9./-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}");
                }
            }
        }
    }

    private static List<Workload> platformWorkloads(Manifests m) {
        List<Workload> platform = m.services().stream()
                .filter(w -> w.template().getSpec().getContainers().getFirst().getImage().startsWith("fedex-lora/"))
                .toList();
        assertThat(platform).hasSize(3);
        return platform;
    }

    /** {@code fedex-lora/coordinator-service:0.1.0} → {@code coordinator-service}. */
    static String module(String image) {
        String name = KustomizeRenderer.imageName(image);
        return name.substring(name.lastIndexOf('/') + 1);
    }

    private static HTTPGetAction http(Probe probe) {
        assertThat(probe.getHttpGet()).isNotNull();
        return probe.getHttpGet();
    }

    static Optional<ContainerPort> containerPort(Container c, IntOrString port) {
        return Objects.requireNonNullElse(c.getPorts(), List.<ContainerPort>of()).stream()
                .filter(p -> port.getIntVal() != null ? port.getIntVal().equals(p.getContainerPort())
                        : port.getStrVal().equals(p.getName()))
                .findFirst();
    }

    static java.util.Set<String> secretKeys(Secret secret) {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        Optional.ofNullable(secret.getStringData()).ifPresent(d -> keys.addAll(d.keySet()));
        Optional.ofNullable(secret.getData()).ifPresent(d -> keys.addAll(d.keySet()));
        return keys;
    }
}
