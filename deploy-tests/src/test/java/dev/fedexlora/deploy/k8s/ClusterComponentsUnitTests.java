package dev.fedexlora.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.fedexlora.deploy.k8s.PrometheusOperatorResources.PodMonitor;
import dev.fedexlora.deploy.k8s.PrometheusOperatorResources.ServiceMonitor;

/**
 * The pieces a platform team expects, as rendered by the production and GPU overlays: HTTPS ingress, workers scaled
 * by the coordinator's queue, Prometheus Operator monitors; and, everywhere, workers spread over nodes and zones.
 */
class ClusterComponentsUnitTests {

    /** The gauge the HPA scales on; the coordinator must export it as fedex.coordinator.tasks.open. */
    static final String QUEUE_METRIC = "fedex_coordinator_tasks_open";

    static Stream<Manifests> clusters() {
        return Stream.of("k8s/overlays/production", "k8s/overlays/gpu").map(Manifests::render);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clusters")
    void ingressServesEachHostOverTlsToAServicePortThatExists(Manifests m) {
        Ingress ingress = m.get(Ingress.class, "fedex-lora");
        assertThat(ingress.getSpec().getIngressClassName()).isNotBlank();
        List<String> hosts = ingress.getSpec().getRules().stream().map(IngressRule::getHost).toList();
        assertThat(hosts).hasSize(3).doesNotHaveDuplicates();
        assertThat(ingress.getSpec().getTls()).singleElement().satisfies(tls -> {
            assertThat(tls.getHosts()).containsExactlyInAnyOrderElementsOf(hosts);
            assertThat(tls.getSecretName()).isNotBlank();
        });
        Map<String, String> backends = new java.util.TreeMap<>();
        for (IngressRule rule : ingress.getSpec().getRules()) {
            assertThat(rule.getHttp().getPaths()).singleElement().satisfies(path -> {
                var backend = path.getBackend().getService();
                Service service = m.get(Service.class, backend.getName());
                assertThat(service.getSpec().getPorts()).as(rule.getHost())
                        .anySatisfy(p -> assertThat(p.getName()).isEqualTo(backend.getPort().getName()));
                backends.put(backend.getName(), rule.getHost());
            });
        }
        assertThat(backends).containsOnlyKeys("coordinator", "registry", "seaweedfs");

        // Presigned URLs name the public S3 host, which the ingress sends to the S3 server the services use.
        for (String config : List.of("coordinator-config", "registry-config")) {
            Map<String, String> data = m.get(ConfigMap.class, config).getData();
            URI publicEndpoint = URI.create(data.get("FEDEX_S3_PUBLIC_ENDPOINT"));
            assertThat(publicEndpoint.getScheme()).isEqualTo("https");
            assertThat(publicEndpoint.getHost()).isEqualTo(backends.get(URI.create(data.get("FEDEX_S3_ENDPOINT"))
                    .getHost()));
        }
        // ...and the S3 server's network policy lets the ingress controller in; workers may go out to it.
        assertThat(m.get(NetworkPolicy.class, "seaweedfs-clients").getSpec().getIngress())
                .anySatisfy(rule -> assertThat(rule.getFrom()).anyMatch(peer -> peer.getNamespaceSelector() != null
                        && peer.getNamespaceSelector().getMatchLabels().containsKey("kubernetes.io/metadata.name")));
        assertThat(m.get(NetworkPolicy.class, "worker-public-egress").getSpec().getEgress())
                .anySatisfy(rule -> assertThat(rule.getPorts()).anySatisfy(p -> assertThat(p.getPort().getIntVal())
                        .isEqualTo(443)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clusters")
    void workersScaleWithTheCoordinatorsQueueAndTheDeploymentLeavesReplicasToTheAutoscaler(Manifests m) {
        HorizontalPodAutoscaler hpa = m.get(HorizontalPodAutoscaler.class, "worker");
        var target = hpa.getSpec().getScaleTargetRef();
        assertThat(target.getKind()).isEqualTo("Deployment");
        assertThat(target.getApiVersion()).isEqualTo("apps/v1");
        Deployment worker = m.get(Deployment.class, target.getName());
        assertThat(worker.getSpec().getReplicas()).as("replicas belong to the HPA").isNull();
        assertThat(hpa.getSpec().getMinReplicas()).isPositive();
        assertThat(hpa.getSpec().getMaxReplicas()).isGreaterThanOrEqualTo(hpa.getSpec().getMinReplicas());
        assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(metric -> {
            assertThat(metric.getType()).isEqualTo("External");
            assertThat(metric.getExternal().getMetric().getName()).isEqualTo(QUEUE_METRIC);
            assertThat(metric.getExternal().getTarget().getType()).isEqualTo("AverageValue");
        });
        assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
                .as("a round's end must not scale workers away before the next round's tasks arrive")
                .isGreaterThanOrEqualTo(300);
        // The disruption budget still selects the autoscaled pods.
        assertThat(m.workloadsMatching(Map.of("app.kubernetes.io/name", "worker"))).hasSize(1);
    }

    @Test
    void gpuWorkersScaleWithinTheGpuBudget() {
        assertThat(Manifests.render("k8s/overlays/gpu").get(HorizontalPodAutoscaler.class, "worker").getSpec()
                .getMaxReplicas()).isEqualTo(4);
        assertThat(Manifests.render("k8s/overlays/production").get(HorizontalPodAutoscaler.class, "worker")
                .getSpec().getMaxReplicas()).isEqualTo(20);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clusters")
    void monitorsScrapeEveryServiceOnItsActuatorEndpoint(Manifests m) {
        ServiceMonitor services = m.get(ServiceMonitor.class, "fedex-lora");
        List<Service> scraped = m.all(Service.class).stream()
                .filter(s -> selects(services.getSpec().selector(), s.getMetadata().getLabels())).toList();
        assertThat(scraped).extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("coordinator", "registry");
        assertThat(services.getSpec().endpoints()).singleElement().satisfies(endpoint -> {
            for (Service s : scraped) {
                assertThat(s.getSpec().getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo(endpoint.port()));
                for (Manifests.Workload w : m.workloadsMatching(s.getSpec().getSelector())) {
                    assertThat(w.template().getMetadata().getAnnotations())
                            .containsEntry("prometheus.io/path", endpoint.path());
                }
            }
        });

        PodMonitor workers = m.get(PodMonitor.class, "worker");
        List<Manifests.Workload> pods = m.workloads().stream()
                .filter(w -> selects(workers.getSpec().selector(), w.podLabels())).toList();
        assertThat(pods).extracting(Manifests.Workload::describe).containsExactly("Deployment/worker");
        assertThat(workers.getSpec().podMetricsEndpoints()).singleElement().satisfies(endpoint -> {
            assertThat(pods.getFirst().template().getSpec().getContainers().getFirst().getPorts())
                    .anySatisfy(p -> assertThat(p.getName()).isEqualTo(endpoint.port()));
            assertThat(pods.getFirst().template().getMetadata().getAnnotations())
                    .containsEntry("prometheus.io/path", endpoint.path());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fedexlora.deploy.k8s.RenderedManifestsUnitTests#renderings")
    void workersSpreadOverNodesAndZonesWithoutEverBlockingScheduling(Manifests m) {
        Deployment worker = m.get(Deployment.class, "worker");
        var constraints = worker.getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
        assertThat(constraints).extracting(c -> c.getTopologyKey())
                .containsExactlyInAnyOrder("kubernetes.io/hostname", "topology.kubernetes.io/zone");
        for (var c : constraints) {
            assertThat(c.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
            assertThat(c.getMaxSkew()).isEqualTo(1);
            assertThat(worker.getSpec().getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(c.getLabelSelector().getMatchLabels());
        }
    }

    /** A label selector's matchLabels and In/NotIn/Exists/DoesNotExist expressions against a set of labels. */
    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (labels == null || selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
            return false;
        }
        for (var e : selector.getMatchExpressions() == null ? List.<io.fabric8.kubernetes.api.model
                .LabelSelectorRequirement>of() : selector.getMatchExpressions()) {
            String value = labels.get(e.getKey());
            boolean ok = switch (e.getOperator()) {
                case "In" -> value != null && e.getValues().contains(value);
                case "NotIn" -> value == null || !e.getValues().contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown selector operator " + e.getOperator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
