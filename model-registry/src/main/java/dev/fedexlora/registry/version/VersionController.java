package dev.fedexlora.registry.version;

import dev.fedexlora.registry.api.PageResponse;
import dev.fedexlora.registry.api.ProblemType;
import dev.fedexlora.registry.api.RegistryException;
import dev.fedexlora.registry.catalog.Model;
import dev.fedexlora.platform.storage.ObjectStore;
import dev.fedexlora.registry.RegistryProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/models/{name}")
@Tag(name = "versions", description = "Immutable versions of a model, their lineage, aliases and artifacts")
class VersionController {

    private final Versions versions;
    private final ObjectStore store;
    private final RegistryProperties properties;

    VersionController(Versions versions, ObjectStore store, RegistryProperties properties) {
        this.versions = versions;
        this.store = store;
        this.properties = properties;
    }

    @PostMapping("/versions")
    @Operation(summary = "Register the version a job round produced (used by the coordinator)",
            description = "Verifies every artifact's SHA-256 by reading it, copies it under models/{name}/versions/{n}/"
                    + " and commits the version. 409 when the job round exists or the parent is not the latest of"
                    + " the job's line; 422 on a checksum mismatch; nothing is left behind on failure.")
    ResponseEntity<VersionResponse> register(@PathVariable String name,
                                             @Valid @RequestBody RegisterVersionRequest request) {
        VersionResponse created = versions.register(name, request);
        return ResponseEntity.created(URI.create("/api/v1/models/" + name + "/versions/" + created.version()))
                .body(created);
    }

    @GetMapping("/versions")
    @Operation(summary = "List a model's versions, newest first; archived ones only with archived=true")
    PageResponse<VersionResponse> list(@PathVariable String name, @RequestParam(defaultValue = "0") int page,
                                       @RequestParam(defaultValue = "20") int size,
                                       @RequestParam(defaultValue = "false") boolean archived) {
        checkPaging(page, size);
        Model model = versions.model(name);
        Map<String, Integer> aliases = versions.aliases(model);
        return PageResponse.of(versions.page(model, page, size, archived),
                v -> versions.toResponse(v, aliasesOf(aliases, v.number()), null));
    }

    @GetMapping("/versions/{version}")
    @Operation(summary = "Get a version by number or alias, with its lineage back to the base")
    VersionResponse get(@PathVariable String name, @PathVariable String version) {
        Model model = versions.model(name);
        ModelVersion v = versions.resolve(model, version);
        return versions.toResponse(v, aliasesOf(versions.aliases(model), v.number()), versions.lineage(v));
    }

    @PutMapping("/aliases/{alias}")
    @Operation(summary = "Point a user alias (e.g. production) at a version; 'latest' is kept by the registry")
    Map<String, Object> setAlias(@PathVariable String name, @PathVariable String alias,
                                 @Valid @RequestBody AliasRequest request) {
        return Map.of("model", name, "aliases", versions.setAlias(name, alias, request.version()));
    }

    @GetMapping("/aliases")
    @Operation(summary = "A model's aliases")
    Map<String, Object> aliases(@PathVariable String name) {
        return Map.of("model", name, "aliases", versions.aliases(versions.model(name)));
    }

    @GetMapping("/versions/{version}/artifacts/{file}")
    @Operation(summary = "Download an artifact: 302 to a presigned URL, or its URL, checksum and size with"
            + " presign=true. The stored object's checksum is verified first.")
    ResponseEntity<?> artifact(@PathVariable String name, @PathVariable String version, @PathVariable String file,
                               @RequestParam(defaultValue = "false") boolean presign) {
        ModelVersion v = versions.resolve(versions.model(name), version);
        Artifact artifact = v.artifact(file).orElseThrow(() -> new RegistryException(ProblemType.ARTIFACT_NOT_FOUND,
                "version " + v.number() + " of '" + name + "' has no file '" + file + "'", "file"));
        versions.verify(artifact);
        String url = store.presignGet(artifact.objectKey(), properties.presignExpiry());
        if (presign) {
            return ResponseEntity.ok(new PresignedArtifact(url, artifact.sha256(), artifact.size()));
        }
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(url)).build();
    }

    static List<String> aliasesOf(Map<String, Integer> aliases, int version) {
        return aliases.entrySet().stream().filter(e -> e.getValue() == version).map(Map.Entry::getKey).toList();
    }

    static void checkPaging(int page, int size) {
        if (page < 0) {
            throw RegistryException.invalid("page", "page must be 0 or more");
        }
        if (size < 1 || size > 200) {
            throw RegistryException.invalid("size", "size must be between 1 and 200");
        }
    }
}
