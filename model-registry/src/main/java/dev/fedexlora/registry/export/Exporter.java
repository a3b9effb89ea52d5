package dev.fedexlora.registry.export;

import dev.fedexlora.core.aggregate.BaseWeights;
import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.registry.api.ProblemType;
import dev.fedexlora.registry.api.RegistryException;
import dev.fedexlora.registry.catalog.Model;
import dev.fedexlora.platform.storage.ObjectNotFoundException;
import dev.fedexlora.registry.RegistryProperties;
import dev.fedexlora.platform.storage.ObjectStore;
import dev.fedexlora.platform.storage.StoredObject;
import dev.fedexlora.registry.version.Artifact;
import dev.fedexlora.registry.version.ArtifactValidator;
import dev.fedexlora.registry.version.ModelVersion;
import dev.fedexlora.registry.version.Versions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import dev.fedexlora.core.checksum.Sha256;
import java.util.HashMap;
import java.util.TreeSet;
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
    static final String INDEX = "model.safetensors.index.json";
    /** Floats in one row block of a streamed fold (16 MiB): the export's working memory per weight. */
    static final int FOLD_BLOCK_ELEMENTS = 4 << 20;

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

            // The weights files of the base: one model.safetensors, or the shards its index names, in name order.
            List<String> weightFiles = new ArrayList<>();
            if (base.artifact(INDEX).isPresent()) {
                Path index = fetch(base, INDEX, in.resolve(INDEX));
                new TreeSet<>(json.readTree(index.toFile()).path("weight_map").properties().stream()
                        .map(e -> e.getValue().asString()).toList()).forEach(weightFiles::add);
            } else {
                weightFiles.add("model.safetensors");
            }
            Map<String, SafeTensors.Layout> layouts = new LinkedHashMap<>();
            for (String file : weightFiles) {
                Artifact a = artifact(base, file);
                try (InputStream head = store.openStream(a.objectKey())) {
                    layouts.put(file, SafeTensors.readLayout(head, file));
                }
            }
            Map<String, long[]> matrices = new HashMap<>();
            layouts.values().forEach(l -> l.entries().forEach(t -> {
                if (t.shape().length == 2) {
                    matrices.put(t.name(), t.shape());
                }
            }));

            // Residuals of the lineage, oldest first, grouped by the base weight they change. Only their shapes are
            // read here; each weight's residuals are read when that weight is folded (one weight's at a time).
            Map<String, List<ResidualRef>> byWeight = new HashMap<>();
            List<String> mergedVersions = new ArrayList<>();
            for (ModelVersion v : chain.reversed()) {
                if (v.artifact(Residuals.FILE).isEmpty()) {
                    continue;
                }
                mergedVersions.add(Integer.toString(v.number()));
                Path local = fetch(v, Residuals.FILE, in.resolve("residual-" + v.number() + ".safetensors"));
                String source = "version " + v.number() + " " + Residuals.FILE;
                Residuals.Index index = Residuals.index(local, source);
                for (Map.Entry<String, long[]> r : index.shapes().entrySet()) {
                    String key = BaseWeights.weightKey(matrices::containsKey, r.getKey()).orElseThrow(() ->
                            new RegistryException(ProblemType.MALFORMED_ARTIFACT, "version " + v.number() + " "
                                    + Residuals.FILE + ": module '" + r.getKey() + "' has no weight in the base"
                                    + " checkpoint (looked for '" + r.getKey() + ".weight' and its suffixes)",
                                    Residuals.FILE));
                    long[] shape = matrices.get(key);
                    long[] needs = r.getValue();
                    if (shape[0] != needs[0] || shape[1] != needs[1]) {
                        throw new RegistryException(ProblemType.MALFORMED_ARTIFACT, "version " + v.number() + " "
                                + Residuals.FILE + ": base weight '" + key + "' is " + java.util.Arrays.toString(shape)
                                + " but the residual of '" + r.getKey() + "' needs [" + needs[0] + ", "
                                + needs[1] + "] (out×in)", Residuals.FILE);
                    }
                    byWeight.computeIfAbsent(key, k -> new ArrayList<>()).add(new ResidualRef(index, r.getKey()));
                }
            }
            Map<String, String> extra = Map.of("fedex.model", model.name(),
                    "fedex.version", Integer.toString(version.number()),
                    "fedex.merged", "base + residuals of versions " + mergedVersions);

            Map<String, StoredObject> stored = new LinkedHashMap<>();
            for (Map.Entry<String, SafeTensors.Layout> w : layouts.entrySet()) {
                stored.put(w.getKey(), foldShard(artifact(base, w.getKey()), w.getValue(), byWeight, extra,
                        prefix + w.getKey()));
            }
            Map<String, Path> produced = new LinkedHashMap<>();
            if (base.artifact(INDEX).isPresent()) {
                produced.put(INDEX, in.resolve(INDEX));
            }
            produced.put("config.json", fetch(base, "config.json", out.resolve("config.json")));
            produced.put("tokenizer.json", fetch(base, "tokenizer.json", out.resolve("tokenizer.json")));
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
            for (Map.Entry<String, Path> e : produced.entrySet()) {
                stored.put(e.getKey(), store.put(prefix + e.getKey(), e.getValue()));
            }
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("model", model.name());
            manifest.put("version", version.number());
            manifest.put("lineage", chain.stream().map(ModelVersion::number).toList());
            manifest.put("files", stored);
            store.put(prefix + MANIFEST, json.writeValueAsBytes(manifest));
            log.info("Exported {} version {} ({} residuals merged into {} weights, {} weights files) in {} ms",
                    model.name(), version.number(), mergedVersions.size(), byWeight.size(), layouts.size(),
                    (System.nanoTime() - started) / 1_000_000);
            return stored;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One module's residual in one version's residual file (its header parsed once), read when its weight is folded. */
    private record ResidualRef(Residuals.Index file, String module) {

        Residual read() throws IOException {
            return file.read(module);
        }
    }

    /**
     * Writes one weights file of the export while reading the base's: same tensors at the same offsets, each weight
     * with residuals folded in fp32 row block by row block (lora-core {@link BaseWeights#foldStreaming}) and written
     * in its own dtype, every other tensor copied byte for byte. One read of the base object, one multipart upload;
     * nothing larger than a block of rows is held.
     */

    private StoredObject foldShard(Artifact source, SafeTensors.Layout layout, Map<String, List<ResidualRef>> byWeight,
                                   Map<String, String> extra, String key) {
        byte[] head = SafeTensors.headerWith(layout, extra);
        return store.write(key, head.length + layout.dataLength(), out -> {
            out.write(head);
            // The whole base object is read once, hashed on the way and checked against its recorded SHA-256 at the
            // end: a mismatch fails the upload, so no export is made from a corrupt shard.
            try (java.security.DigestInputStream in = Sha256.digesting(store.openStream(source.objectKey()))) {
                // through read(), not skip(), so the header is hashed too
                new BoundedInputStream(in, layout.dataStart()).transferTo(OutputStream.nullOutputStream());
                for (SafeTensors.Entry t : layout.inDataOrder()) {
                    List<ResidualRef> refs = byWeight.get(t.name());
                    if (refs == null) {
                        long copied = new BoundedInputStream(in, t.byteSize()).transferTo(out);
                        if (copied != t.byteSize()) {
                            throw new IOException(source.fileName() + ": ends inside tensor '" + t.name() + "'");
                        }
                    } else {
                        List<Residual> residuals = new ArrayList<>();
                        for (ResidualRef r : refs) {
                            residuals.add(r.read());
                        }
                        BaseWeights.foldStreaming(t.dtype(), t.shape(), residuals, in, out, FOLD_BLOCK_ELEMENTS);
                    }
                }
                long rest = in.transferTo(OutputStream.nullOutputStream());
                String sha = Sha256.hex(in.getMessageDigest());
                if (rest != 0 || !sha.equals(source.sha256())) {
                    throw new RegistryException(ProblemType.ARTIFACT_CORRUPT, "artifact '" + source.fileName()
                            + "' at '" + source.objectKey() + "' failed verification: it hashes to " + sha
                            + ", recorded " + source.sha256(), "file");
                }
            }
        });
    }

    private static Artifact artifact(ModelVersion v, String file) {
        return v.artifact(file).orElseThrow(() -> new RegistryException(ProblemType.ARTIFACT_NOT_FOUND,
                "version " + v.number() + " has no file '" + file + "'", "file"));
    }

    private Path fetch(ModelVersion v, String file, Path target) {
        Artifact a = v.artifact(file).orElseThrow(() -> new RegistryException(ProblemType.ARTIFACT_NOT_FOUND,
                "version " + v.number() + " has no file '" + file + "'", "file"));
        return versions.fetchVerified(a, target);
    }
}
