package dev.fedexlora.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.fedexlora.deploy.k8s.Manifests.Workload;

/**
 * Deny-by-default in both directions is only right if every connection the platform makes is opened on both ends:
 * the connections are read from the services' configuration (FEDEX_DB_URL, FEDEX_S3_ENDPOINT, FEDEX_REGISTRY_URL,
 * FEDEX_COORDINATOR_URL), resolved through their Services to container ports, and each must be allowed by an egress
 * rule of the caller and an ingress rule of the callee. Every egress rule must point at pods and ports that exist.
 */
class NetworkPoliciesUnitTests {

    private static final List<String> CONNECTIONS = List.of("FEDEX_DB_URL", "FEDEX_S3_ENDPOINT", "FEDEX_REGISTRY_URL",
            "FEDEX_COORDINATOR_URL");

    static Stream<Manifests> renderings() {
        return RenderedManifestsUnitTests.renderings();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void everyPodIsDeniedByDefaultBothWaysAndMayResolveNames(Manifests m) {
        assertThat(m.all(NetworkPolicy.class)).anySatisfy(p -> {
            assertThat(p.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
            assertThat(p.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
            assertThat(p.getSpec().getIngress()).isNullOrEmpty();
            assertThat(p.getSpec().getEgress()).isNullOrEmpty();
        });
        assertThat(m.all(NetworkPolicy.class)).anySatisfy(p -> {
            assertThat(p.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
            assertThat(p.getSpec().getEgress()).anySatisfy(rule -> assertThat(rule.getPorts())
                    .anySatisfy(port -> {
                        assertThat(port.getPort().getIntVal()).isEqualTo(53);
                        assertThat(port.getProtocol()).isEqualTo("UDP");
                    }));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void egressRulesPointAtPodsAndPortsThatExist(Manifests m) {
        for (NetworkPolicy p : m.all(NetworkPolicy.class)) {
            for (var rule : Objects.requireNonNullElse(p.getSpec().getEgress(),
                    List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule>of())) {
                for (NetworkPolicyPeer peer : Objects.requireNonNullElse(rule.getTo(), List.<NetworkPolicyPeer>of())) {
                    if (peer.getPodSelector() == null || peer.getNamespaceSelector() != null) {
                        continue;
                    }
                    List<Workload> servers = m.workloadsMatching(peer.getPodSelector().getMatchLabels());
                    assertThat(servers).as("pods NetworkPolicy %s lets out to", p.getMetadata().getName()).isNotEmpty();
                    for (NetworkPolicyPort port : Objects.requireNonNullElse(rule.getPorts(),
                            List.<NetworkPolicyPort>of())) {
                        for (Workload w : servers) {
                            assertThat(containers(w).stream()
                                    .flatMap(c -> RenderedManifestsUnitTests.containerPort(c, port.getPort()).stream())
                                    .findAny())
                                    .as("NetworkPolicy %s lets out to port %s of %s", p.getMetadata().getName(),
                                            port.getPort(), w.describe())
                                    .isPresent();
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void everyConnectionTheConfigurationNamesIsOpenOnBothEnds(Manifests m) {
        int checked = 0;
        for (Workload client : m.services()) {
            Map<String, String> env = configuration(m, client);
            for (String variable : CONNECTIONS) {
                String value = env.get(variable);
                if (value == null) {
                    continue;
                }
                URI uri = URI.create(value.startsWith("jdbc:") ? value.substring("jdbc:".length()) : value);
                Service service = m.get(Service.class, uri.getHost());
                ServicePort servicePort = service.getSpec().getPorts().stream()
                        .filter(p -> p.getPort() == uri.getPort()).findFirst()
                        .orElseThrow(() -> new AssertionError(variable + " names port " + uri.getPort()
                                + " that Service " + uri.getHost() + " does not have"));
                for (Workload server : m.workloadsMatching(service.getSpec().getSelector())) {
                    int port = containers(server).stream()
                            .flatMap(c -> RenderedManifestsUnitTests.containerPort(c, servicePort.getTargetPort())
                                    .stream())
                            .findFirst().orElseThrow().getContainerPort();
                    String what = "%s -> %s (%s, port %d)".formatted(client.describe(), server.describe(), variable,
                            port);
                    assertThat(egressAllows(m, client, server, port)).as("egress " + what).isTrue();
                    assertThat(ingressAllows(m, client, server, port)).as("ingress " + what).isTrue();
                    checked++;
                }
            }
        }
        // coordinator: database, S3, registry; registry: database, S3; worker: coordinator.
        assertThat(checked).isEqualTo(6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void onlyTheCoordinatorAmongThePlatformsPodsReachesTheRegistry(Manifests m) {
        Workload registry = m.services().stream().filter(w -> w.describe().endsWith("/registry")).findFirst()
                .orElseThrow();
        for (Workload client : m.workloads()) {
            if (client.equals(registry)) {
                continue;
            }
            boolean coordinator = client.describe().endsWith("/coordinator");
            assertThat(ingressAllows(m, client, registry, 8081)).as(client.describe()).isEqualTo(coordinator);
        }
        // every other rule names where its callers come from: the ingress controller's or the monitoring namespace
        policies(m, registry, "Ingress").flatMap(p -> Objects.requireNonNullElse(p.getSpec().getIngress(),
                        List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule>of()).stream())
                .forEach(rule -> assertThat(rule.getFrom()).isNotEmpty().allSatisfy(peer -> assertThat(
                        peer.getPodSelector() != null || peer.getNamespaceSelector() != null).isTrue()));
    }

    private static boolean egressAllows(Manifests m, Workload client, Workload server, int port) {
        return policies(m, client, "Egress").flatMap(p -> Objects.requireNonNullElse(p.getSpec().getEgress(),
                        List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule>of()).stream())
                .anyMatch(rule -> portAllowed(rule.getPorts(), port) && peerAllowed(rule.getTo(), server));
    }

    private static boolean ingressAllows(Manifests m, Workload client, Workload server, int port) {
        return policies(m, server, "Ingress").flatMap(p -> Objects.requireNonNullElse(p.getSpec().getIngress(),
                        List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule>of()).stream())
                .anyMatch(rule -> portAllowed(rule.getPorts(), port) && peerAllowed(rule.getFrom(), client));
    }

    private static Stream<NetworkPolicy> policies(Manifests m, Workload pods, String type) {
        return m.all(NetworkPolicy.class).stream()
                .filter(p -> p.getSpec().getPolicyTypes().contains(type))
                .filter(p -> {
                    Map<String, String> selector = p.getSpec().getPodSelector().getMatchLabels();
                    return selector == null || selector.isEmpty() || pods.podsMatch(selector);
                });
    }

    private static boolean portAllowed(List<NetworkPolicyPort> ports, int port) {
        return ports == null || ports.isEmpty() || ports.stream().anyMatch(p -> p.getPort() == null
                || Objects.equals(p.getPort(), new IntOrString(port)));
    }

    /** Same-namespace pods only: a peer with a namespace selector or an address block never names a platform pod. */
    private static boolean peerAllowed(List<NetworkPolicyPeer> peers, Workload other) {
        return peers == null || peers.isEmpty() || peers.stream().anyMatch(peer -> peer.getNamespaceSelector() == null
                && peer.getIpBlock() == null && peer.getPodSelector() != null
                && (peer.getPodSelector().getMatchLabels() == null || peer.getPodSelector().getMatchLabels().isEmpty()
                || other.podsMatch(peer.getPodSelector().getMatchLabels())));
    }

    private static Map<String, String> configuration(Manifests m, Workload w) {
        Map<String, String> env = new java.util.TreeMap<>();
        for (Container c : containers(w)) {
            for (EnvFromSource from : Objects.requireNonNullElse(c.getEnvFrom(), List.<EnvFromSource>of())) {
                if (from.getConfigMapRef() != null) {
                    env.putAll(m.get(ConfigMap.class, from.getConfigMapRef().getName()).getData());
                }
            }
        }
        return env;
    }

    private static List<Container> containers(Workload w) {
        return new ArrayList<>(w.template().getSpec().getContainers());
    }
}
