package dev.fedexlora.deploy.k8s;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses Kubernetes documents into fabric8's typed model, strictly. The model classes swallow unknown fields into
 * {@code additionalProperties} (an any-setter), so strictness is checked by walking the parsed object graph: any
 * non-empty {@code additionalProperties} is an unknown field and fails with its path. Scalar coercion is off, so a
 * string where the API wants an integer ({@code replicas: "2"}) fails too, and every resource quantity must parse.
 * Only the kinds the platform deploys are known; any other kind fails (add it here when the manifests grow one).
 * The Prometheus Operator's monitors have no fabric8 model: {@link PrometheusOperatorResources} types them, with the
 * same strictness and the constraints of their CRDs.
 */
final class StrictManifests {

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", PrometheusOperatorResources.ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PodMonitor", PrometheusOperatorResources.PodMonitor.class));

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private StrictManifests() {
    }

    /** The typed object of one document; {@code origin} names it in failures. */
    static HasMetadata parse(JsonNode document, String origin) {
        String apiVersion = document.path("apiVersion").asString("");
        String kind = document.path("kind").asString("");
        Class<? extends HasMetadata> type = KINDS.get(apiVersion + "/" + kind);
        if (type == null) {
            throw new InvalidManifestException(origin + ": unsupported apiVersion/kind " + apiVersion + "/" + kind);
        }
        HasMetadata parsed;
        try {
            parsed = MAPPER.treeToValue(document, type);
        } catch (JacksonException e) {
            throw new InvalidManifestException(origin + ": " + kind + " does not match the API: "
                    + e.getOriginalMessage() + " at " + e.getPathReference(), e);
        }
        String name = parsed.getMetadata() == null ? null : parsed.getMetadata().getName();
        if (name == null || name.isBlank()) {
            throw new InvalidManifestException(origin + ": " + kind + " without metadata.name");
        }
        List<String> unknown = new ArrayList<>();
        collectUnknownFields(parsed, kind + "/" + name, unknown);
        if (!unknown.isEmpty()) {
            throw new InvalidManifestException(origin + ": unknown fields " + unknown);
        }
        if (parsed instanceof PrometheusOperatorResources.Monitor<?> monitor && !monitor.violations().isEmpty()) {
            throw new InvalidManifestException(origin + ": " + kind + "/" + name + " breaks its CRD: "
                    + monitor.violations());
        }
        return parsed;
    }

    private static void collectUnknownFields(Object value, String path, List<String> unknown) {
        if (value == null) {
            return;
        }
        if (value instanceof Quantity q) {
            try {
                Quantity.getAmountInBytes(q);
            } catch (RuntimeException e) {
                unknown.add(path + " (not a quantity: '" + q + "')");
            }
            return;
        }
        if (value instanceof IntOrString) {
            return;
        }
        if (value instanceof Collection<?> c) {
            int i = 0;
            for (Object element : c) {
                collectUnknownFields(element, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown));
            return;
        }
        if (value instanceof Record record) {
            for (var component : record.getClass().getRecordComponents()) {
                try {
                    collectUnknownFields(component.getAccessor().invoke(record), path + "." + component.getName(),
                            unknown);
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException("cannot read " + component, e);
                }
            }
            return;
        }
        if (value instanceof PrometheusOperatorResources.Monitor<?> monitor) {
            collectUnknownFields(monitor.getMetadata(), path + ".metadata", unknown);
            collectUnknownFields(monitor.getSpec(), path + ".spec", unknown);
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")
                    || getter.getDeclaringClass().isInterface()) {
                // Interface defaults (HasMetadata's plural, group, ...) derive from the kind: nothing parsed.
                continue;
            }
            Object child = invoke(getter, value);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
                continue;
            }
            String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            collectUnknownFields(child, path + "." + field, unknown);
        }
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + getter, e);
        }
    }

    /** A manifest that does not parse strictly into the Kubernetes API. */
    static final class InvalidManifestException extends RuntimeException {
        InvalidManifestException(String message) {
            super(message);
        }

        InvalidManifestException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
