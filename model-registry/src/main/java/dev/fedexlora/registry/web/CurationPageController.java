package dev.fedexlora.registry.web;

import dev.fedexlora.registry.compare.Comparisons;
import dev.fedexlora.registry.compare.VersionComparison;
import dev.fedexlora.registry.model.Models;
import dev.fedexlora.registry.version.VersionCuration;
import dev.fedexlora.registry.version.VersionNotesRequest;
import dev.fedexlora.registry.version.Versions;
import java.util.Arrays;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.UriUtils;

/**
 * The pages' forms that change a version's notes, archive it or move aliases (each answers with a redirect to the
 * page it came from, post/redirect/get), and the comparison of two versions. The rules are the API's: a refused
 * change shows the problem page with the API's status.
 */
@Controller
class CurationPageController {

    private final Models models;
    private final Versions versions;
    private final VersionCuration curation;
    private final Comparisons comparisons;

    CurationPageController(Models models, Versions versions, VersionCuration curation, Comparisons comparisons) {
        this.models = models;
        this.versions = versions;
        this.curation = curation;
        this.comparisons = comparisons;
    }

    @PostMapping("/models/{name}/versions/{version}/notes")
    String notes(@PathVariable String name, @PathVariable String version, @RequestParam String description,
                 @RequestParam(defaultValue = "") String tags) {
        List<String> tagList = Arrays.stream(tags.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
        int number = curation.describe(name, version, new VersionNotesRequest(description, tagList)).version();
        return redirectToVersion(name, number);
    }

    @PostMapping("/models/{name}/versions/{version}/archive")
    String archive(@PathVariable String name, @PathVariable String version) {
        return redirectToVersion(name, curation.archive(name, version).version());
    }

    @PostMapping("/models/{name}/versions/{version}/unarchive")
    String unarchive(@PathVariable String name, @PathVariable String version) {
        return redirectToVersion(name, curation.unarchive(name, version).version());
    }

    @PostMapping("/models/{name}/aliases")
    String setAlias(@PathVariable String name, @RequestParam String alias, @RequestParam String version) {
        if (!version.matches("\\d{1,9}")) {
            throw dev.fedexlora.registry.api.RegistryException.invalid("version", "version must be a number");
        }
        versions.setAlias(name, alias.strip(), Integer.parseInt(version));
        return "redirect:/models/" + path(name);
    }

    @PostMapping("/models/{name}/aliases/{alias}/remove")
    String removeAlias(@PathVariable String name, @PathVariable String alias) {
        curation.removeAlias(name, alias);
        return "redirect:/models/" + path(name);
    }

    @GetMapping("/models/{name}/compare")
    String compare(@PathVariable String name, @RequestParam String a, @RequestParam String b, ModelMap ui) {
        VersionComparison c = comparisons.compare(name, a, b);
        ui.addAttribute("model", models.get(name));
        ui.addAttribute("c", c);
        ui.addAttribute("metrics", c.metrics().stream().map(m -> new Row(m.name(), Fmt.value(m.a()),
                Fmt.value(m.b()), m.delta() == null ? "" : Fmt.value(m.delta()))).toList());
        ui.addAttribute("layers", c.layers().stream().map(l -> new LayerRow(l.module(), Fmt.value(l.exactnessErrorA()),
                Fmt.value(l.exactnessErrorB()), Fmt.value(l.deviationA()), Fmt.value(l.deviationB()))).toList());
        ui.addAttribute("lineageA", c.a().lineage().stream().map(l -> l.version()).toList());
        ui.addAttribute("lineageB", c.b().lineage().stream().map(l -> l.version()).toList());
        return "compare";
    }

    private static String redirectToVersion(String name, int number) {
        return "redirect:/models/" + path(name) + "/versions/" + number;
    }

    private static String path(String segment) {
        return UriUtils.encodePathSegment(segment, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A metric as the comparison shows it; values already formatted. */
    public record Row(String name, String a, String b, String delta) {
    }

    public record LayerRow(String module, String exactnessA, String exactnessB, String deviationA,
                           String deviationB) {
    }
}
