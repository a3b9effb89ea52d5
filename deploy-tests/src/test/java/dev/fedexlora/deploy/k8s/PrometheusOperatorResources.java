package dev.fedexlora.deploy.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * A typed model of the Prometheus Operator's {@code monitoring.coreos.com/v1} ServiceMonitor and PodMonitor, for the
 * fields of its API reference that the platform's monitors may use. fabric8 ships no model of these custom
 * resources, so this one stands in for it: parsed with the same strict mapper (unknown fields, wrong types and
 * coerced scalars fail), plus the constraints the CRDs' schemas add (Prometheus durations, http/https, absolute
 * paths, a port on every endpoint, a scrape timeout within its interval). A field of the real API missing here
 * fails too: add it from the API reference when a monitor needs it.
 */
final class PrometheusOperatorResources {

    /** The CRDs' pattern for a Prometheus duration. */
    private static final Pattern DURATION = Pattern.compile(
            "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$");

    private PrometheusOperatorResources() {
    }

    record NamespaceSelector(Boolean any, List<String> matchNames) {
    }

    record Endpoint(String port, IntOrString targetPort, String path, String scheme, String interval,
                    String scrapeTimeout, Boolean honorLabels, Map<String, List<String>> params) {
    }

    record PodMetricsEndpoint(String port, Integer portNumber, String path, String scheme, String interval,
                              String scrapeTimeout, Boolean honorLabels, Map<String, List<String>> params) {
    }

    record ServiceMonitorSpec(String jobLabel, List<String> targetLabels, List<String> podTargetLabels,
                              List<Endpoint> endpoints, LabelSelector selector, NamespaceSelector namespaceSelector,
                              Long sampleLimit, Long targetLimit) {
    }

    record PodMonitorSpec(String jobLabel, List<String> podTargetLabels, List<PodMetricsEndpoint> podMetricsEndpoints,
                          LabelSelector selector, NamespaceSelector namespaceSelector, Long sampleLimit,
                          Long targetLimit) {
    }

    /**
     * A monitor: the fields every Kubernetes object has, and its spec. Bound as a plain bean: fabric8's own
     * deserializer, inherited from KubernetesResource, would turn an unknown kind into a generic map.
     */
    @JsonDeserialize(using = ValueDeserializer.None.class)
    abstract static class Monitor<S extends Record> implements HasMetadata {
        private String apiVersion;
        private String kind;
        private ObjectMeta metadata;
        private S spec;

        @Override
        public String getApiVersion() {
            return apiVersion;
        }

        @Override
        public void setApiVersion(String apiVersion) {
            this.apiVersion = apiVersion;
        }

        @Override
        public String getKind() {
            return kind;
        }

        public void setKind(String kind) {
            this.kind = kind;
        }

        @Override
        public ObjectMeta getMetadata() {
            return metadata;
        }

        @Override
        public void setMetadata(ObjectMeta metadata) {
            this.metadata = metadata;
        }

        public S getSpec() {
            return spec;
        }

        public void setSpec(S spec) {
            this.spec = spec;
        }

        /** The constraints of the CRD's schema beyond types, as "path: problem". */
        List<String> violations() {
            List<String> problems = new ArrayList<>();
            if (spec == null || selector() == null) {
                problems.add("spec.selector: required");
                return problems;
            }
            List<Scrape> scrapes = scrapes();
            if (scrapes == null || scrapes.isEmpty()) {
                problems.add("spec." + endpointsField() + ": at least one");
                return problems;
            }
            for (int i = 0; i < scrapes.size(); i++) {
                Scrape e = scrapes.get(i);
                String at = "spec." + endpointsField() + "[" + i + "]";
                if (!e.hasPort()) {
                    problems.add(at + ": a port (by name or number) is required");
                }
                checkScrape(at, e.path(), e.scheme(), e.interval(), e.scrapeTimeout(), problems);
            }
            return problems;
        }

        abstract LabelSelector selector();

        abstract String endpointsField();

        abstract List<Scrape> scrapes();
    }

    /** What the two kinds of endpoint have in common. */
    record Scrape(boolean hasPort, String path, String scheme, String interval, String scrapeTimeout) {
    }

    @JsonDeserialize(using = ValueDeserializer.None.class)
    static final class ServiceMonitor extends Monitor<ServiceMonitorSpec> {
        @Override
        LabelSelector selector() {
            return getSpec().selector();
        }

        @Override
        String endpointsField() {
            return "endpoints";
        }

        @Override
        List<Scrape> scrapes() {
            return getSpec().endpoints() == null ? null : getSpec().endpoints().stream()
                    .map(e -> new Scrape(e.port() != null || e.targetPort() != null, e.path(), e.scheme(),
                            e.interval(), e.scrapeTimeout()))
                    .toList();
        }
    }

    @JsonDeserialize(using = ValueDeserializer.None.class)
    static final class PodMonitor extends Monitor<PodMonitorSpec> {
        @Override
        LabelSelector selector() {
            return getSpec().selector();
        }

        @Override
        String endpointsField() {
            return "podMetricsEndpoints";
        }

        @Override
        List<Scrape> scrapes() {
            return getSpec().podMetricsEndpoints() == null ? null : getSpec().podMetricsEndpoints().stream()
                    .map(e -> new Scrape(e.port() != null || e.portNumber() != null, e.path(), e.scheme(),
                            e.interval(), e.scrapeTimeout()))
                    .toList();
        }
    }

    private static void checkScrape(String at, String path, String scheme, String interval, String scrapeTimeout,
                                    List<String> problems) {
        if (path != null && !path.startsWith("/")) {
            problems.add(at + ".path: must start with /");
        }
        if (scheme != null && !List.of("http", "https", "HTTP", "HTTPS").contains(scheme)) {
            problems.add(at + ".scheme: http or https, not " + scheme);
        }
        for (var duration : new String[][] {{"interval", interval}, {"scrapeTimeout", scrapeTimeout}}) {
            if (duration[1] != null && !DURATION.matcher(duration[1]).matches()) {
                problems.add(at + "." + duration[0] + ": not a Prometheus duration: " + duration[1]);
            }
        }
        if (interval != null && scrapeTimeout != null && DURATION.matcher(interval).matches()
                && DURATION.matcher(scrapeTimeout).matches() && millis(scrapeTimeout) > millis(interval)) {
            problems.add(at + ".scrapeTimeout: longer than the interval");
        }
    }

    /** Milliseconds of a Prometheus duration that matches {@link #DURATION}. */
    static long millis(String duration) {
        long total = 0;
        var m = Pattern.compile("([0-9]+)(ms|y|w|d|h|m|s)").matcher(duration);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total += n * switch (m.group(2)) {
                case "y" -> 365L * 24 * 3_600_000;
                case "w" -> 7L * 24 * 3_600_000;
                case "d" -> 24L * 3_600_000;
                case "h" -> 3_600_000L;
                case "m" -> 60_000L;
                case "s" -> 1_000L;
                default -> 1L;
            };
        }
        return total;
    }
}
