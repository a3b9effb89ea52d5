package dev.fedexlora.registry.web;

import dev.fedexlora.registry.export.ExportResponse;
import dev.fedexlora.registry.export.Exporter;
import dev.fedexlora.registry.model.ModelResponse;
import dev.fedexlora.registry.model.Models;
import dev.fedexlora.registry.version.ModelVersion;
import dev.fedexlora.registry.version.Versions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.data.domain.Page;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The server-rendered pages (Thymeleaf, no script): the models list with search, a model with its versions and
 * the plots of its latest lineage, and a version with its lineage, metrics, clients, artifacts (download links
 * through the API's verified presigned redirect) and per-round plots; and a version's export on request.
 */
@Controller
class PageController {

    static final int MODELS_PER_PAGE = 20;
    static final int VERSIONS_PER_PAGE = 50;

    private final Models models;
    private final Versions versions;
    private final Exporter exporter;

    PageController(Models models, Versions versions, Exporter exporter) {
        this.models = models;
        this.versions = versions;
        this.exporter = exporter;
    }

    @GetMapping("/")
    String home() {
        return "redirect:/models";
    }

    @GetMapping("/models")
    String models(@RequestParam(required = false) String q, @RequestParam(defaultValue = "0") int page,
                  ModelMap ui) {
        Page<ModelResponse> found = models.search(q, Math.max(page, 0), MODELS_PER_PAGE);
        ui.addAttribute("q", q == null ? "" : q);
        ui.addAttribute("models", found.getContent());
        ui.addAttribute("pager", Pager.of(found));
        return "models";
    }

    @GetMapping("/models/{name}")
    String model(@PathVariable String name, @RequestParam(defaultValue = "0") int page,
                 @RequestParam(defaultValue = "false") boolean archived, ModelMap ui) {
        ModelResponse model = models.get(name);
        dev.fedexlora.registry.catalog.Model entity = versions.model(name);
        Map<String, Integer> aliases = versions.aliases(entity);
        Page<ModelVersion> found = versions.page(entity, Math.max(page, 0), VERSIONS_PER_PAGE, archived);
        ui.addAttribute("showArchived", archived);
        ModelVersion latest = versions.resolve(entity, "latest");
        ui.addAttribute("model", model);
        ui.addAttribute("versions", found.getContent().stream().map(v -> row(v, aliases)).toList());
        ui.addAttribute("pager", Pager.of(found));
        ui.addAttribute("latest", latest.number());
        ui.addAttribute("plots", LineagePlots.of(versions.lineage(latest).reversed(), versions::metrics));
        return "model";
    }

    @GetMapping("/models/{name}/versions/{version}")
    String version(@PathVariable String name, @PathVariable String version, ModelMap ui) {
        dev.fedexlora.registry.catalog.Model entity = versions.model(name);
        ModelVersion v = versions.resolve(entity, version);
        Map<String, Integer> aliases = versions.aliases(entity);
        List<ModelVersion> lineage = versions.lineage(v);
        ui.addAttribute("model", models.get(name));
        ui.addAttribute("version", row(v, aliases));
        ui.addAttribute("notes", versions.toResponse(v, List.of(), null));
        ui.addAttribute("lineage", lineage.stream().map(l -> row(l, aliases)).toList());
        ui.addAttribute("metrics", versions.metrics(v).entrySet().stream()
                .map(e -> new Entry(e.getKey(), Fmt.value(e.getValue()))).toList());
        ui.addAttribute("clients", versions.toResponse(v, List.of(), null).clients().stream()
                .map(c -> new ClientRow(String.valueOf(c.get("clientId")), Fmt.value(c.get("examples")),
                        Fmt.value(c.get("weight")))).toList());
        ui.addAttribute("artifacts", v.artifacts().stream().map(a -> new ArtifactRow(a.fileName(),
                "/api/v1/models/" + name + "/versions/" + v.number() + "/artifacts/" + a.fileName(),
                Fmt.bytes(a.size()), a.size(), a.sha256())).toList());
        ui.addAttribute("plots", LineagePlots.of(lineage.reversed(), versions::metrics));
        return "version";
    }

    /** Materialises the version as a Hugging Face checkpoint (cached after the first time) and lists its files. */
    @PostMapping("/models/{name}/versions/{version}/export")
    String export(@PathVariable String name, @PathVariable String version, ModelMap ui) {
        ExportResponse export = exporter.export(name, version);
        ui.addAttribute("model", models.get(name));
        ui.addAttribute("version", export.version());
        ui.addAttribute("files", export.files().entrySet().stream().map(e -> new ArtifactRow(e.getKey(),
                e.getValue().url(), Fmt.bytes(e.getValue().size()), e.getValue().size(), e.getValue().sha256()))
                .toList());
        return "export";
    }

    private VersionRow row(ModelVersion v, Map<String, Integer> aliases) {
        Map<String, Object> metrics = versions.metrics(v);
        List<String> names = new ArrayList<>();
        aliases.forEach((alias, n) -> {
            if (n == v.number()) {
                names.add(alias);
            }
        });
        String source = switch (v.sourceKind()) {
            case JOB -> "job " + v.sourceJobId() + ", round " + v.sourceRound();
            case UPLOAD -> "uploaded checkpoint";
            case IMPORT -> "imported bundled model";
        };
        return new VersionRow(v.number(), v.parentNumber().orElse(null), source, v.method() == null ? "base"
                : v.method(), Fmt.value(first(metrics, "meanLoss", "loss")),
                Fmt.value(first(metrics, "meanAccuracy", "accuracy")),
                Fmt.value(first(metrics, "maxDeviation", "deviation", "fedItDeviation")),
                Fmt.value(v.exactnessError()), names, v.createdAt().toString());
    }

    private static Object first(Map<String, Object> metrics, String... keys) {
        for (String k : keys) {
            if (metrics.get(k) != null) {
                return metrics.get(k);
            }
        }
        return null;
    }

    /** A version as the pages list it; numbers already formatted. Public: templates read it reflectively. */
    public record VersionRow(int number, Integer parent, String source, String method, String loss,
                             String accuracy, String deviation, String exactness, List<String> aliases,
                             String createdAt) {
    }

    public record Entry(String name, String value) {
    }

    public record ClientRow(String clientId, String examples, String weight) {
    }

    public record ArtifactRow(String file, String href, String size, long bytes, String sha256) {
    }

    /** Page navigation: {@code page} counts from 0. */
    public record Pager(int page, int totalPages, long totalItems, boolean hasPrevious, boolean hasNext) {

        static Pager of(Page<?> p) {
            return new Pager(p.getNumber(), p.getTotalPages(), p.getTotalElements(), p.hasPrevious(), p.hasNext());
        }
    }
}
