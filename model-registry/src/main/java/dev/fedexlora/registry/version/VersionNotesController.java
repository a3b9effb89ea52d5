package dev.fedexlora.registry.version;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.util.Map;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/models/{name}")
@Tag(name = "versions")
class VersionNotesController {

    private final VersionCuration curation;

    VersionNotesController(VersionCuration curation) {
        this.curation = curation;
    }

    @PatchMapping("/versions/{version}")
    @Operation(summary = "Set a version's description and tags (a field left out keeps its value)")
    VersionResponse describe(@PathVariable String name, @PathVariable String version,
                             @Valid @RequestBody VersionNotesRequest request) {
        return curation.describe(name, version, request);
    }

    @PostMapping("/versions/{version}/archive")
    @Operation(summary = "Archive a version: hidden from listings and new aliases, never deleted",
            description = "409 version-aliased while an alias (latest included) names it. Its artifacts stay"
                    + " downloadable, and every lineage through it still resolves.")
    VersionResponse archive(@PathVariable String name, @PathVariable String version) {
        return curation.archive(name, version);
    }

    @PostMapping("/versions/{version}/unarchive")
    @Operation(summary = "Show an archived version again")
    VersionResponse unarchive(@PathVariable String name, @PathVariable String version) {
        return curation.unarchive(name, version);
    }

    @DeleteMapping("/aliases/{alias}")
    @Operation(summary = "Remove a user alias ('latest' is the registry's and stays)")
    Map<String, Object> removeAlias(@PathVariable String name, @PathVariable String alias) {
        return Map.of("model", name, "aliases", curation.removeAlias(name, alias));
    }
}
