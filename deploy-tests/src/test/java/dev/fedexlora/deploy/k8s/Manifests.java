package dev.fedexlora.deploy.k8s;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import dev.fedexlora.deploy.RepositoryFiles;

/** One rendered kustomization (base or overlay), every document parsed strictly into the typed model. */
record Manifests(String name, List<HasMetadata> objects) {

    static Manifests render(String kustomizationDir) {
        Path dir = RepositoryFiles.resolve(kustomizationDir);
        List<HasMetadata> objects = KustomizeRenderer.render(dir).stream()
                .map(d -> StrictManifests.parse(d.node(), d.origin()))
                .toList();
        return new Manifests(kustomizationDir, objects);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError(this.name + " has no "
                + type.getSimpleName() + " " + name));
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
    }

    /** A workload with a pod template: a Deployment, a StatefulSet or a Job. */
    record Workload(HasMetadata owner, PodTemplateSpec template, Integer replicas) {

        String describe() {
            return owner.getKind() + "/" + owner.getMetadata().getName();
        }

        Map<String, String> podLabels() {
            return Objects.requireNonNullElse(template.getMetadata().getLabels(), Map.of());
        }

        boolean podsMatch(Map<String, String> selector) {
            return selector != null && !selector.isEmpty() && podLabels().entrySet().containsAll(selector.entrySet());
        }
    }

    List<Workload> workloads() {
        java.util.ArrayList<Workload> result = new java.util.ArrayList<>();
        all(Deployment.class).forEach(d -> result.add(new Workload(d, d.getSpec().getTemplate(),
                d.getSpec().getReplicas())));
        all(StatefulSet.class).forEach(s -> result.add(new Workload(s, s.getSpec().getTemplate(),
                s.getSpec().getReplicas())));
        all(Job.class).forEach(j -> result.add(new Workload(j, j.getSpec().getTemplate(), 1)));
        return result;
    }

    /** Long-running workloads (Deployments and StatefulSets). */
    List<Workload> services() {
        return workloads().stream().filter(w -> !(w.owner() instanceof Job)).toList();
    }

    List<Workload> workloadsMatching(Map<String, String> selector) {
        return workloads().stream().filter(w -> w.podsMatch(selector)).toList();
    }

    @Override
    public String toString() {
        return name;
    }
}
