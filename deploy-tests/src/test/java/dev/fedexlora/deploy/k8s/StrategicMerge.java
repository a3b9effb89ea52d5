package dev.fedexlora.deploy.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes strategic-merge patches, for the subset the platform's patches use: maps merge key by key (a null value
 * deletes the key), lists of pod-spec items with a merge key (containers, volumes, env, ...) merge item by item on
 * that key, every other list is replaced. As kustomize orders a merged list, the patch's items come first (each
 * merged with the item it names), then the items the patch does not name, in their order. Directives ({@code $patch},
 * {@code $setElementOrder}, ...) are not implemented and fail, rather than being applied as plain fields.
 */
final class StrategicMerge {

    /** patchMergeKey of the Kubernetes API for the lists the platform's patches may merge. */
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name",
            "initContainers", "name",
            "volumes", "name",
            "env", "name",
            "volumeMounts", "mountPath");

    private StrategicMerge() {
    }

    static ObjectNode apply(ObjectNode target, ObjectNode patch, String origin) {
        ObjectNode result = target.deepCopy();
        merge(result, patch, origin, "");
        return result;
    }

    private static void merge(ObjectNode target, ObjectNode patch, String origin, String path) {
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            String key = field.getKey();
            String at = path + "/" + key;
            if (key.startsWith("$")) {
                throw new StrictManifests.InvalidManifestException(origin + ": strategic-merge directive " + at
                        + " is not supported");
            }
            JsonNode value = field.getValue();
            JsonNode current = target.get(key);
            if (value.isNull()) {
                target.remove(key);
            } else if (value instanceof ObjectNode object && current instanceof ObjectNode currentObject) {
                merge(currentObject, object, origin, at);
            } else if (value instanceof ArrayNode list && current instanceof ArrayNode currentList
                    && MERGE_KEYS.containsKey(key)) {
                target.set(key, mergeList(currentList, list, MERGE_KEYS.get(key), origin, at));
            } else {
                target.set(key, value.deepCopy());
            }
        }
    }

    private static ArrayNode mergeList(ArrayNode current, ArrayNode patch, String mergeKey, String origin, String path) {
        ArrayNode merged = current.arrayNode();
        List<String> named = new ArrayList<>();
        for (JsonNode item : patch) {
            String id = item.path(mergeKey).asString(null);
            if (!(item instanceof ObjectNode patchItem) || id == null) {
                throw new StrictManifests.InvalidManifestException(origin + ": every item of " + path + " needs its "
                        + mergeKey);
            }
            named.add(id);
            ObjectNode existing = find(current, mergeKey, id);
            if (existing == null) {
                merged.add(patchItem.deepCopy());
            } else {
                ObjectNode copy = existing.deepCopy();
                merge(copy, patchItem, origin, path + "[" + mergeKey + "=" + id + "]");
                merged.add(copy);
            }
        }
        for (JsonNode item : current) {
            if (!named.contains(item.path(mergeKey).asString(""))) {
                merged.add(item.deepCopy());
            }
        }
        return merged;
    }

    private static ObjectNode find(ArrayNode list, String mergeKey, String id) {
        for (JsonNode item : list) {
            if (item instanceof ObjectNode object && id.equals(item.path(mergeKey).asString(null))) {
                return object;
            }
        }
        return null;
    }
}
