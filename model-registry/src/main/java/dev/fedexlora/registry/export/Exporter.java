package dev.fedexlora.registry.export;

import dev.fedexlora.core.aggregate.BaseWeights;
import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.TensorFile;
import dev.fedexlora.registry.api.ProblemType;
import dev.fedexlora.registry.api.RegistryException;
import dev.fedexlora.registry.model.Model;
import dev.fedexlora.platform.storage.ObjectNotFoundException;
import dev.fedexlora.registry.RegistryProperties;
import dev.fedexlora.platform.storage.ObjectStore;
import dev.fedexlora.platform.storage.StoredObject;
import dev.fedexlora.registry.version.Artifact;
import dev.fedexlora.registry.version.ArtifactValidator;
import dev.fedexlora.registry.version.ModelVersion;
import dev.fedexlora.registry.version.Versions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Materialises a version as a full Hugging Face checkpoint. Every artifact read on the way is verified against its
 * recorded SHA-256. The result is cached: a manifest {@code export.json} under the export prefix lists the files,
 * and a later export answers from it after checking the objects are still there.
 */
@Service
public class Exporter {

    private static final Logger log = LoggerFactory.getLogger(Exporter.class);
    static final String MANIFEST = "export.json";
    static final String ADAPTER_DIR = "adapter/";

    private final Versions versions;
    private final ObjectStore store;
    private final ArtifactValidator validator;
    private final ObjectMapper json;
    private final RegistryProperties properties;

    Exporter(Versions versions, ObjectStore store, ArtifactValidator validator, ObjectMapper json,
             RegistryProperties properties) {
        this.versions = versions;
        this.store = store;
        this.validator = validator;
        this.json = json;
        this.properties = properties;
    }

    public ExportResponse export(String modelName, String ref) {
        Model model = versions.model(modelName);
        ModelVersion version = versions.resolve(model, ref);
        String prefix = "models/" + modelName + "/versions/" + version.number() + "/export/";
        Map<String, StoredObject> files = cached(prefix).orElseGet(() -> build(model, version, prefix));
        Map<String, ExportResponse.ExportedFile> out = new LinkedHashMap<>();
        files.forEach((name, o) -> out.put(name,
                new ExportResponse.ExportedFile(store.presignGet(o.key(), properties.presignExpiry()), o.sha256(), o.size())));
        return new ExportResponse(modelName, version.number(), out);
    }

    private java.util.Optional<Map<String, StoredObject>> cached(String prefix) {
        try (ArtifactValidator.Workspace work = validator.workspace()) {
            Path manifest = work.file(MANIFEST);
            store.download(prefix + MANIFEST, manifest);
            Map<String, StoredObject> files = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : json.readTree(manifest.toFile()).get("files").properties()) {
                JsonNode f = e.getValue();
                StoredObject o = new StoredObject(f.get("key").asString(), f.get("sha256").asString(),
                        f.get("size").asLong());
                if (store.stat(o.key()).map(i -> i.size() != o.size()).orElse(true)) {
                    return java.util.Optional.empty();
                }
                files.put(e.getKey(), o);
            }
            return java.util.Optional.of(files);
        } catch (ObjectNotFoundException e) {
            return java.util.Optional.empty();
        }
    }

    private Map<String, StoredObject> build(Model model, ModelVersion version, String prefix) {
        long started = System.nanoTime();
        List<ModelVersion> chain = versions.lineage(version);
        ModelVersion base = chain.getLast();
        try (ArtifactValidator.Workspace work = validator.workspace()) {
            Path in = Files.createDirectories(work.dir().resolve("in"));
            Path out = Files.createDirectories(work.dir().resolve("out"));
            Path adapterOut = Files.createDirectories(out.resolve("adapter"));

            TensorFile baseWeights = SafeTensors.read(fetch(base, "model.safetensors", in.resolve("base.safetensors")));
            BaseWeights merger = new BaseWeights(baseWeights, false);
            for (ModelVersion v : chain.reversed()) {
                if (v.artifact(Residuals.FILE).isEmpty()) {
                    continue;
                }
                Path local = fetch(v, Residuals.FILE, in.resolve("residual-" + v.number() + ".safetensors"));
                Map<String, Residual> residuals = Residuals.read(local);
                try {
                    merger.add(residuals, "version " + v.number() + " " + Residuals.FILE);
                } catch (IllegalArgumentException e) {
                    throw new RegistryException(ProblemType.MALFORMED_ARTIFACT, e.getMessage(), Residuals.FILE);
                }
            }
            SafeTensors.write(out.resolve("model.safetensors"), merger.result(Map.of(
                    "fedex.model", model.name(), "fedex.version", Integer.toString(version.number()),
                    "fedex.merged", "base + residuals of versions " + chain.reversed().stream()
                            .filter(v -> v.artifact(Residuals.FILE).isPresent())
                            .map(v -> Integer.toString(v.number())).toList())));
            fetch(base, "config.json", out.resolve("config.json"));
            fetch(base, "tokenizer.json", out.resolve("tokenizer.json"));

            Map<String, Path> produced = new LinkedHashMap<>();
            produced.put("model.safetensors", out.resolve("model.safetensors"));
            produced.put("config.json", out.resolve("config.json"));
            produced.put("tokenizer.json", out.resolve("tokenizer.json"));
            if (version.artifact(PeftAdapters.WEIGHTS_FILE).isPresent()
                    && version.artifact(PeftAdapters.CONFIG_FILE).isPresent()) {
                fetch(version, PeftAdapters.WEIGHTS_FILE, adapterOut.resolve(PeftAdapters.WEIGHTS_FILE));
                Path cfg = fetch(version, PeftAdapters.CONFIG_FILE, in.resolve(PeftAdapters.CONFIG_FILE));
                ObjectNode config = (ObjectNode) json.readTree(cfg.toFile());
                // The adapter applies on top of the merged base exported beside it, not on the original base.
                config.put("base_model_name_or_path", "..");
                Files.writeString(adapterOut.resolve(PeftAdapters.CONFIG_FILE),
                        json.writerWithDefaultPrettyPrinter().writeValueAsString(config));
                produced.put(ADAPTER_DIR + PeftAdapters.WEIGHTS_FILE, adapterOut.resolve(PeftAdapters.WEIGHTS_FILE));
                produced.put(ADAPTER_DIR + PeftAdapters.CONFIG_FILE, adapterOut.resolve(PeftAdapters.CONFIG_FILE));
            }

            Map<String, StoredObject> stored = new LinkedHashMap<>();
            List<Map.Entry<String, Path>> entries = new ArrayList<>(produced.entrySet());
            for (Map.Entry<String, Path> e : entries) {
                stored.put(e.getKey(), store.put(prefix + e.getKey(), e.getValue()));
            }
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("model", model.name());
            manifest.put("version", version.number());
            manifest.put("lineage", chain.stream().map(ModelVersion::number).toList());
            manifest.put("files", stored);
            store.put(prefix + MANIFEST, json.writeValueAsBytes(manifest));
            log.info("Exported {} version {} ({} residuals merged into {} weights) in {} ms", model.name(),
                    version.number(), chain.size() - 1, merger.touched().size(),
                    (System.nanoTime() - started) / 1_000_000);
            return stored;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path fetch(ModelVersion v, String file, Path target) {
        Artifact a = v.artifact(file).orElseThrow(() -> new RegistryException(ProblemType.ARTIFACT_NOT_FOUND,
                "version " + v.number() + " has no file '" + file + "'", "file"));
        return versions.fetchVerified(a, target);
    }
}
