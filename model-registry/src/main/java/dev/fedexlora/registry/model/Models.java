package dev.fedexlora.registry.model;

import dev.fedexlora.core.tensor.InvalidTensorFileException;
import dev.fedexlora.registry.api.ProblemType;
import dev.fedexlora.registry.catalog.Model;
import dev.fedexlora.registry.catalog.ModelRepository;
import dev.fedexlora.registry.api.RegistryException;
import dev.fedexlora.platform.storage.ObjectStore;
import dev.fedexlora.registry.version.ArtifactValidator;
import dev.fedexlora.registry.version.SourceKind;
import dev.fedexlora.registry.version.Versions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Registering base models (validated Hugging Face checkpoints) and finding them. A registration either stores the
 * model, its version 0 and its files together, or nothing.
 */
@Service
public class Models {

    static final String NAME_PATTERN = "[a-z0-9][a-z0-9._-]{0,99}";
    static final String TAG_PATTERN = "[a-z0-9][a-z0-9._:-]{0,63}";
    /** The files of a base checkpoint, in the order they are validated. */
    public static final List<String> CHECKPOINT_FILES = List.of("config.json", "model.safetensors", "tokenizer.json");

    private final ModelRepository models;
    private final Versions versions;
    private final ArtifactValidator validator;
    private final ObjectStore store;
    private final TransactionTemplate tx;
    private final Clock clock;

    Models(ModelRepository models, Versions versions, ArtifactValidator validator, ObjectStore store,
           PlatformTransactionManager txManager, Clock clock) {
        this.models = models;
        this.versions = versions;
        this.validator = validator;
        this.store = store;
        this.tx = new TransactionTemplate(txManager);
        this.clock = clock;
    }

    /**
     * Registers a base model from checkpoint files in a local directory ({@code config.json}, {@code tokenizer.json},
     * and {@code model.safetensors} or {@code model.safetensors.index.json} with the shards named
     * {@code model-00001-of-0000N.safetensors}; other files are left out). @throws RegistryException 400 naming a
     * malformed file, 409 when the name is taken
     */
    public ModelResponse registerBase(String name, Path dir, SourceKind kind, String baseCheckpoint, Set<String> tags) {
        Map<String, CheckpointFiles.Source> files = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(CHECKPOINT_FILES);
        names.add(CheckpointFiles.INDEX);
        try (java.util.stream.Stream<Path> listed = java.nio.file.Files.list(dir)) {
            listed.map(p -> p.getFileName().toString()).filter(n -> CheckpointFiles.SHARD.matcher(n).matches())
                    .sorted().forEach(names::add);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (String f : names) {
            if (java.nio.file.Files.isRegularFile(dir.resolve(f))) {
                files.put(f, CheckpointFiles.Source.of(dir.resolve(f)));
            }
        }
        return registerCheckpoint(name, files, kind, baseCheckpoint, tags);
    }

    /**
     * Registers a base model from the files of a Hugging Face checkpoint ({@link CheckpointFiles}: config,
     * tokenizer, one weights file or shards with their index). The files are checked against each other first;
     * each is then streamed to the object store, hashed and (weights) checked on the way. A failure at any point
     * leaves no model row and removes every object written. @throws RegistryException 400 naming the file at fault,
     * 409 when the name is taken
     */
    public ModelResponse registerCheckpoint(String name, Map<String, CheckpointFiles.Source> received, SourceKind kind,
                                            String baseCheckpoint, Set<String> tags) {
        checkName(name);
        if (models.findByName(name).isPresent()) {
            throw exists(name);
        }
        CheckpointFiles checked = CheckpointFiles.check(received);
        String architecture = architecture(checked.config());
        List<String> written = new ArrayList<>();
        try {
            tx.executeWithoutResult(s -> {
                Model model = models.saveAndFlush(new Model(name, architecture, baseCheckpoint, clock.instant()));
                model.replaceTags(tags);
                models.saveAndFlush(model);
                versions.createBaseStreamed(model, kind, checked.uploads(), written);
            });
        } catch (DataIntegrityViolationException e) {
            written.forEach(store::delete);
            throw exists(name);
        } catch (RuntimeException e) {
            written.forEach(store::delete);
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof InvalidTensorFileException bad) {
                    String file = written.isEmpty() ? "weights" : written.getLast()
                            .substring(written.getLast().lastIndexOf('/') + 1);
                    throw CheckpointFiles.malformed(file, String.valueOf(bad.getMessage()));
                }
            }
            throw e;
        }
        return response(models.findByName(name).orElseThrow());
    }

    /** Fails early, before any expensive work, when the name is invalid or taken. @throws RegistryException 400, 409 */
    public void requireFree(String name) {
        checkName(name);
        if (models.findByName(name).isPresent()) {
            throw exists(name);
        }
    }

    public ModelResponse get(String name) {
        return response(versions.model(name));
    }

    public Page<ModelResponse> search(String q, int page, int size) {
        RegistryException.checkPage(page, size);
        String needle = q == null ? "" : q.trim().toLowerCase(Locale.ROOT)
                .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return models.search("%" + needle + "%", PageRequest.of(page, size, Sort.by("name"))).map(this::response);
    }

    public ModelResponse setTags(String name, Set<String> tags) {
        tx.executeWithoutResult(s -> {
            Model model = models.lockByName(name).orElseThrow(() -> RegistryException.modelNotFound(name));
            model.replaceTags(tags);
        });
        return get(name);
    }

    ModelResponse response(Model m) {
        Map<String, Integer> aliases = versions.aliases(m);
        return new ModelResponse(m.name(), m.architecture(), m.baseCheckpoint(), m.tags(), m.createdAt(),
                aliases.getOrDefault("latest", 0), versions.count(m), aliases);
    }

    static void checkName(String name) {
        if (name == null || !name.matches(NAME_PATTERN)) {
            throw RegistryException.invalid("name", "model name must match " + NAME_PATTERN);
        }
    }

    static void checkTags(Set<String> tags) {
        for (String t : tags) {
            if (!t.matches(TAG_PATTERN)) {
                throw RegistryException.invalid("tags", "tag '" + t + "' must match " + TAG_PATTERN);
            }
        }
    }

    private static RegistryException exists(String name) {
        return new RegistryException(ProblemType.MODEL_EXISTS, "a model named '" + name + "' exists", "name");
    }

    /** {@code architectures[0]} of config.json, else its {@code model_type}, else "unknown". */
    private static String architecture(JsonNode config) {
        JsonNode archs = config.get("architectures");
        if (archs != null && archs.isArray() && !archs.isEmpty() && archs.get(0).isString()) {
            return archs.get(0).asString();
        }
        JsonNode type = config.get("model_type");
        return type != null && type.isString() ? type.asString() : "unknown";
    }
}
