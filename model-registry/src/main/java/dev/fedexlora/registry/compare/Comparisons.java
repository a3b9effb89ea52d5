package dev.fedexlora.registry.compare;

import dev.fedexlora.registry.api.ProblemType;
import dev.fedexlora.registry.api.RegistryException;
import dev.fedexlora.registry.catalog.Model;
import dev.fedexlora.registry.version.Artifact;
import dev.fedexlora.registry.version.ModelVersion;
import dev.fedexlora.registry.version.VersionResponse;
import dev.fedexlora.registry.version.Versions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Builds {@link VersionComparison}s; the round reports are read verified and bounded in size. */
@Service
public class Comparisons {

    /** A round report lists a few numbers per layer; anything larger is not one. */
    static final long MAX_REPORT_BYTES = 16L << 20;
    static final String REPORT = "report.json";

    private final Versions versions;
    private final ObjectMapper json;

    Comparisons(Versions versions, ObjectMapper json) {
        this.versions = versions;
        this.json = json;
    }

    public VersionComparison compare(String modelName, String refA, String refB) {
        Model model = versions.model(modelName);
        ModelVersion a = versions.resolve(model, refA);
        ModelVersion b = versions.resolve(model, refB);
        Map<String, Integer> aliases = versions.aliases(model);
        List<ModelVersion> lineageA = versions.lineage(a);
        List<ModelVersion> lineageB = versions.lineage(b);
        Set<Integer> inB = new LinkedHashSet<>();
        lineageB.forEach(v -> inB.add(v.number()));
        int common = lineageA.stream().mapToInt(ModelVersion::number).filter(inB::contains).max().orElse(0);
        return new VersionComparison(model.name(), response(a, aliases, lineageA), response(b, aliases, lineageB),
                common, metrics(a, b), layers(a, b));
    }

    private VersionResponse response(ModelVersion v, Map<String, Integer> aliases, List<ModelVersion> lineage) {
        List<String> names = aliases.entrySet().stream().filter(e -> e.getValue() == v.number())
                .map(Map.Entry::getKey).toList();
        return versions.toResponse(v, names, lineage);
    }

    private List<VersionComparison.MetricRow> metrics(ModelVersion a, ModelVersion b) {
        Map<String, Object> ma = new LinkedHashMap<>(versions.metrics(a));
        Map<String, Object> mb = new LinkedHashMap<>(versions.metrics(b));
        ma.put("exactnessError", a.exactnessError());
        mb.put("exactnessError", b.exactnessError());
        Set<String> names = new LinkedHashSet<>(ma.keySet());
        names.addAll(mb.keySet());
        List<VersionComparison.MetricRow> rows = new ArrayList<>();
        for (String name : names) {
            Object va = ma.get(name);
            Object vb = mb.get(name);
            if (va == null && vb == null) {
                continue;
            }
            Double delta = va instanceof Number na && vb instanceof Number nb
                    ? nb.doubleValue() - na.doubleValue() : null;
            rows.add(new VersionComparison.MetricRow(name, va, vb, delta));
        }
        return rows;
    }

    private List<VersionComparison.LayerRow> layers(ModelVersion a, ModelVersion b) {
        Map<String, JsonNode> la = layerReports(a);
        Map<String, JsonNode> lb = layerReports(b);
        Set<String> modules = new LinkedHashSet<>(la.keySet());
        modules.addAll(lb.keySet());
        List<VersionComparison.LayerRow> rows = new ArrayList<>();
        for (String module : modules) {
            JsonNode ra = la.get(module);
            JsonNode rb = lb.get(module);
            rows.add(new VersionComparison.LayerRow(module, number(ra, "exactnessError"), number(rb, "exactnessError"),
                    number(ra, "deviation"), number(rb, "deviation")));
        }
        return rows;
    }

    /** Module → its entry of the version's round report; empty when the version has no report. */
    Map<String, JsonNode> layerReports(ModelVersion v) {
        Optional<Artifact> report = v.artifact(REPORT);
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (report.isEmpty()) {
            return out;
        }
        if (report.get().size() > MAX_REPORT_BYTES) {
            throw new RegistryException(ProblemType.MALFORMED_ARTIFACT, REPORT + " of version " + v.number()
                    + " holds " + report.get().size() + " bytes, more than a round report can", REPORT);
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile("report", ".json");
            versions.fetchVerified(report.get(), tmp);
            JsonNode layers = json.readTree(tmp.toFile()).path("layers");
            for (JsonNode layer : layers) {
                if (layer.path("module").isString()) {
                    out.put(layer.path("module").asString(), layer);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (tools.jackson.core.JacksonException e) {
            throw new RegistryException(ProblemType.MALFORMED_ARTIFACT, REPORT + " of version " + v.number()
                    + " is not valid JSON: " + e.getOriginalMessage(), REPORT);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }

    private static Double number(JsonNode layer, String field) {
        return layer != null && layer.path(field).isNumber() ? layer.path(field).asDouble() : null;
    }
}
