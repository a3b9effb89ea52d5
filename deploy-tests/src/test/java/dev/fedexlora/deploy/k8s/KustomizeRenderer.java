package dev.fedexlora.deploy.k8s;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does, for the subset of kustomize the platform's
 * manifests use: {@code resources} (files and directories), {@code components}, {@code patches} (RFC 6902 JSON
 * patches with a kind/name target, or strategic-merge patches, see {@link StrategicMerge}), {@code namespace} and
 * {@code images}. The kustomization file itself is parsed strictly, so an
 * overlay that starts using any other kustomize feature fails here until the renderer learns it (rather than being
 * silently half-rendered). {@code KubectlKustomizeIntegrationTests} compares the result with the real kustomize
 * where kubectl is installed.
 */
final class KustomizeRenderer {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Kinds the namespace transformer leaves alone. */
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass");

    /** Kinds whose pod template's containers the image transformer rewrites, with the path to the pod spec. */
    private static final List<String> POD_SPEC_KINDS = List.of("Deployment", "StatefulSet", "Job", "DaemonSet");

    record Kustomization(String apiVersion, String kind, String namespace, List<String> resources,
                         List<String> components, List<Image> images, List<Patch> patches) {
    }

    record Image(String name, String newName, String newTag, String digest) {
    }

    record Patch(String path, Target target) {
    }

    record Target(String kind, String name) {
    }

    /** One rendered document and the file it came from. */
    record Document(ObjectNode node, String origin) {

        String kind() {
            return node.path("kind").asString("");
        }

        String name() {
            return node.path("metadata").path("name").asString("");
        }
    }

    private KustomizeRenderer() {
    }

    static List<Document> render(Path directory) {
        Kustomization k = kustomization(directory, "kustomize.config.k8s.io/v1beta1", "Kustomization");
        List<Document> documents = new ArrayList<>();
        addResources(directory, k, documents);
        applyComponentsAndPatches(directory, k, documents);
        if (k.namespace() != null) {
            for (Document d : documents) {
                if (!CLUSTER_SCOPED.contains(d.kind())) {
                    ((ObjectNode) d.node().get("metadata")).put("namespace", k.namespace());
                }
            }
        }
        for (Image image : k.images() == null ? List.<Image>of() : k.images()) {
            setImage(image, documents);
        }
        return documents;
    }

    private static Kustomization kustomization(Path directory, String apiVersion, String kind) {
        Path file = directory.resolve("kustomization.yaml");
        Kustomization k;
        try {
            k = YAML.readValue(file.toFile(), Kustomization.class);
        } catch (JacksonException e) {
            throw new StrictManifests.InvalidManifestException(file + ": not a kustomization this renderer supports: "
                    + e.getOriginalMessage(), e);
        }
        if (!apiVersion.equals(k.apiVersion()) || !kind.equals(k.kind())) {
            throw new StrictManifests.InvalidManifestException(file + ": apiVersion/kind must be " + apiVersion + " "
                    + kind);
        }
        return k;
    }

    private static void addResources(Path directory, Kustomization k, List<Document> documents) {
        for (String resource : k.resources() == null ? List.<String>of() : k.resources()) {
            Path path = directory.resolve(resource).normalize();
            if (Files.isDirectory(path)) {
                documents.addAll(render(path));
            } else {
                documents.addAll(read(path));
            }
        }
    }

    /**
     * As kustomize orders it: the components (each adds its resources, then patches everything accumulated so far),
     * then the kustomization's own patches.
     */
    private static void applyComponentsAndPatches(Path directory, Kustomization k, List<Document> documents) {
        for (String component : k.components() == null ? List.<String>of() : k.components()) {
            Path dir = directory.resolve(component).normalize();
            Kustomization c = kustomization(dir, "kustomize.config.k8s.io/v1alpha1", "Component");
            if (c.namespace() != null || c.images() != null) {
                throw new StrictManifests.InvalidManifestException(dir + ": a component may only add resources, "
                        + "components and patches here");
            }
            addResources(dir, c, documents);
            applyComponentsAndPatches(dir, c, documents);
        }
        for (Patch patch : k.patches() == null ? List.<Patch>of() : k.patches()) {
            applyPatch(directory, patch, documents);
        }
    }

    /** Every non-empty YAML document of one file. */
    static List<Document> read(Path file) {
        List<Document> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue;
                }
                if (!(node instanceof ObjectNode object)) {
                    throw new StrictManifests.InvalidManifestException(file + ": a document is not a mapping");
                }
                documents.add(new Document(object, file.toString()));
            }
        } catch (JacksonException e) {
            throw new StrictManifests.InvalidManifestException(file + ": not YAML: " + e.getOriginalMessage(), e);
        }
        return documents;
    }

    private static void applyPatch(Path directory, Patch patch, List<Document> documents) {
        if (patch.path() == null) {
            throw new StrictManifests.InvalidManifestException(directory + ": a patch needs a path");
        }
        Path file = directory.resolve(patch.path());
        JsonNode operations;
        try {
            operations = YAML.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new StrictManifests.InvalidManifestException(file + ": not YAML: " + e.getOriginalMessage(), e);
        }
        Target target = patch.target();
        if (operations instanceof ObjectNode merge && target == null) {
            // A strategic-merge patch names its own target.
            target = new Target(merge.path("kind").asString(null), merge.path("metadata").path("name").asString(null));
        }
        if (target == null || target.kind() == null || target.name() == null) {
            throw new StrictManifests.InvalidManifestException(file + ": a patch needs a kind/name target");
        }
        List<Integer> targets = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            Document d = documents.get(i);
            if (d.kind().equals(target.kind()) && d.name().equals(target.name())) {
                targets.add(i);
            }
        }
        if (targets.size() != 1) {
            throw new StrictManifests.InvalidManifestException(file + ": target " + target.kind() + "/"
                    + target.name() + " matches " + targets.size() + " resources, not one");
        }
        int index = targets.getFirst();
        Document d = documents.get(index);
        JsonNode patched;
        if (operations instanceof ArrayNode) {
            try {
                patched = JsonPatch.apply(operations, d.node());
            } catch (JsonPatchException e) {
                throw new StrictManifests.InvalidManifestException(file + ": cannot apply to " + d.kind() + "/"
                        + d.name() + ": " + e.getMessage(), e);
            }
        } else if (operations instanceof ObjectNode merge) {
            patched = StrategicMerge.apply(d.node(), merge, file + " on " + d.kind() + "/" + d.name());
        } else {
            throw new StrictManifests.InvalidManifestException(file + ": a patch is a list of RFC 6902 operations or "
                    + "a strategic-merge object");
        }
        documents.set(index, new Document((ObjectNode) patched, d.origin() + " + " + file));
    }

    private static void setImage(Image image, List<Document> documents) {
        for (Document d : documents) {
            if (!POD_SPEC_KINDS.contains(d.kind())) {
                continue;
            }
            JsonNode podSpec = d.node().path("spec").path("template").path("spec");
            for (String list : List.of("initContainers", "containers")) {
                for (JsonNode container : podSpec.path(list)) {
                    String current = container.path("image").asString("");
                    if (imageName(current).equals(image.name())) {
                        ((ObjectNode) container).put("image", rewrite(current, image));
                    }
                }
            }
        }
    }

    /** The repository part of an image reference (without tag or digest). */
    static String imageName(String reference) {
        String withoutDigest = reference.contains("@") ? reference.substring(0, reference.indexOf('@')) : reference;
        int slash = withoutDigest.lastIndexOf('/');
        int colon = withoutDigest.lastIndexOf(':');
        return colon > slash ? withoutDigest.substring(0, colon) : withoutDigest;
    }

    private static String rewrite(String reference, Image image) {
        String name = image.newName() != null ? image.newName() : imageName(reference);
        if (image.digest() != null) {
            return name + "@" + image.digest();
        }
        if (image.newTag() != null) {
            return name + ":" + image.newTag();
        }
        return name + reference.substring(imageName(reference).length());
    }
}
