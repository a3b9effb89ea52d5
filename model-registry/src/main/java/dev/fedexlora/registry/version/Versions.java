package dev.fedexlora.registry.version;

import dev.fedexlora.registry.api.ProblemType;
import dev.fedexlora.registry.api.RegistryException;
import dev.fedexlora.registry.catalog.Model;
import dev.fedexlora.registry.catalog.ModelRepository;
import dev.fedexlora.platform.storage.ObjectNotFoundException;
import dev.fedexlora.platform.storage.ObjectStore;
import dev.fedexlora.platform.storage.StoredObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * Versions of models: creating them (the base, and job rounds after verification), resolving numbers and aliases,
 * walking lineage, and handing out artifacts whose checksums have been verified.
 */
@Service
public class Versions {

    private static final Pattern ALIAS = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    private static final Set<String> REQUIRED_JOB_FILES = Set.of("adapter_model.safetensors", "adapter_config.json");

    private final ModelRepository models;
    private final VersionRepository versions;
    private final AliasRepository aliases;
    private final VersionNoteRepository notes;
    private final ObjectStore store;
    private final ArtifactValidator validator;
    private final TransactionTemplate tx;
    private final TransactionTemplate readTx;
    private final ObjectMapper json;
    private final Clock clock;
    /** Object keys whose content was hashed and matched, by ETag: a changed object is hashed again. */
    private final Map<String, String> verifiedEtags = new ConcurrentHashMap<>();

    Versions(ModelRepository models, VersionRepository versions, AliasRepository aliases, VersionNoteRepository notes,
             ObjectStore store, ArtifactValidator validator, PlatformTransactionManager txManager, ObjectMapper json,
             Clock clock) {
        this.notes = notes;
        this.models = models;
        this.versions = versions;
        this.aliases = aliases;
        this.store = store;
        this.validator = validator;
        this.tx = new TransactionTemplate(txManager);
        this.readTx = new TransactionTemplate(txManager);
        this.readTx.setReadOnly(true);
        this.json = json;
        this.clock = clock;
    }

    /**
     * Stores version 0 of a model that was just inserted in the caller's transaction: uploads each file under
     * {@code models/{name}/base/} and records it. Returns the keys written so the caller can remove them when its
     * transaction does not commit.
     */
    public List<String> createBase(Model model, SourceKind kind, Map<String, Path> files, List<String> written) {
        ModelVersion base = new ModelVersion(model, 0, null, kind, null, null, null, "{}", "[]", null,
                clock.instant());
        for (Map.Entry<String, Path> f : files.entrySet()) {
            String key = "models/" + model.name() + "/base/" + f.getKey();
            StoredObject stored = store.put(key, f.getValue());
            written.add(key);
            base.addArtifact(f.getKey(), key, stored.sha256(), stored.size());
        }
        versions.saveAndFlush(base);
        aliases.saveAndFlush(new Alias(model.id(), Alias.LATEST, 0, clock.instant()));
        return written;
    }

    /** A file to store: its size and its bytes from the start (checked on the way when the stream checks). */
    public record Upload(long size, Opener opener) {
    }

    /** Opens a file's bytes. */
    @FunctionalInterface
    public interface Opener {
        java.io.InputStream open() throws java.io.IOException;
    }

    /**
     * {@link #createBase(Model, SourceKind, Map, List)} from streams: each file is streamed to the object store
     * (in parts above the part size) and hashed on the way; a stream that fails its checks fails the upload.
     */
    public void createBaseStreamed(Model model, SourceKind kind, Map<String, Upload> files, List<String> written) {
        ModelVersion base = new ModelVersion(model, 0, null, kind, null, null, null, "{}", "[]", null,
                clock.instant());
        for (Map.Entry<String, Upload> f : files.entrySet()) {
            String key = "models/" + model.name() + "/base/" + f.getKey();
            written.add(key);
            StoredObject stored;
            try (java.io.InputStream in = f.getValue().opener().open()) {
                stored = store.put(key, in, f.getValue().size());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            base.addArtifact(f.getKey(), key, stored.sha256(), stored.size());
        }
        versions.saveAndFlush(base);
        aliases.saveAndFlush(new Alias(model.id(), Alias.LATEST, 0, clock.instant()));
    }

    /**
     * Registers the version a job round produced. Every artifact is read from the object store and its SHA-256
     * and size compared with the request before anything is written; the copies under
     * {@code models/{name}/versions/{n}/} and the version row are committed together, and the copies are removed
     * when the commit fails.
     */
    public VersionResponse register(String modelName, RegisterVersionRequest request) {
        Model model = models.findByName(modelName).orElseThrow(() -> RegistryException.modelNotFound(modelName));
        checkFiles(request);
        readTx.executeWithoutResult(s -> checkLine(model, request));
        try (ArtifactValidator.Workspace work = validator.workspace()) {
            Map<String, Path> verified = new LinkedHashMap<>();
            for (int i = 0; i < request.artifacts().size(); i++) {
                RegisterVersionRequest.ArtifactRef a = request.artifacts().get(i);
                Path local = work.file(a.file());
                StoredObject got;
                try {
                    got = store.download(a.objectKey(), local);
                } catch (ObjectNotFoundException e) {
                    throw new RegistryException(ProblemType.ARTIFACT_MISSING,
                            a.file() + ": no object under '" + a.objectKey() + "'", "artifacts[" + i + "].objectKey");
                }
                if (!got.sha256().equalsIgnoreCase(a.sha256())) {
                    throw new RegistryException(ProblemType.CHECKSUM_MISMATCH, a.file() + ": SHA-256 of '"
                            + a.objectKey() + "' is " + got.sha256() + ", the request says " + a.sha256()
                            .toLowerCase(Locale.ROOT), "artifacts[" + i + "].sha256")
                            .with("file", a.file()).with("expected", a.sha256().toLowerCase(Locale.ROOT))
                            .with("actual", got.sha256());
                }
                if (got.size() != a.size()) {
                    throw new RegistryException(ProblemType.CHECKSUM_MISMATCH, a.file() + ": '" + a.objectKey()
                            + "' holds " + got.size() + " bytes, the request says " + a.size(),
                            "artifacts[" + i + "].size").with("file", a.file());
                }
                validator.validateVersionFile(a.file(), local);
                verified.put(a.file(), local);
            }
            validator.validateAdapter(work.dir());
            return commit(modelName, request, verified);
        }
    }

    private VersionResponse commit(String modelName, RegisterVersionRequest request, Map<String, Path> files) {
        List<String> written = new ArrayList<>();
        try {
            return tx.execute(s -> {
                Model model = models.lockByName(modelName)
                        .orElseThrow(() -> RegistryException.modelNotFound(modelName));
                checkLine(model, request);
                int number = versions.maxNumber(model).orElse(-1) + 1;
                ModelVersion v = new ModelVersion(model, number, request.parentVersion(), SourceKind.JOB,
                        request.source().jobId(), request.source().round(),
                        request.method().toUpperCase(Locale.ROOT),
                        json.writeValueAsString(request.metrics() == null ? Map.of() : request.metrics()),
                        json.writeValueAsString(request.clients() == null ? List.of() : request.clients()),
                        request.exactnessError(), clock.instant());
                for (Map.Entry<String, Path> f : files.entrySet()) {
                    String key = "models/" + modelName + "/versions/" + number + "/" + f.getKey();
                    StoredObject stored = store.put(key, f.getValue());
                    written.add(key);
                    v.addArtifact(f.getKey(), key, stored.sha256(), stored.size());
                }
                versions.saveAndFlush(v);
                pointAlias(model, Alias.LATEST, number);
                return toResponse(v, List.of(Alias.LATEST), null);
            });
        } catch (RuntimeException e) {
            written.forEach(store::delete);
            throw e;
        }
    }

    private static void checkFiles(RegisterVersionRequest request) {
        Set<String> seen = new java.util.HashSet<>();
        String prefix = versionPrefix(request.source());
        for (int i = 0; i < request.artifacts().size(); i++) {
            RegisterVersionRequest.ArtifactRef a = request.artifacts().get(i);
            String file = a.file();
            if (!seen.add(file)) {
                throw RegistryException.invalid("artifacts[" + i + "].file", "file '" + file + "' is listed twice");
            }
            // Only what the coordinator itself wrote for this job round becomes a version: its own key for the file,
            // never a client's upload or another job's object.
            if (!a.objectKey().equals(prefix + file)) {
                throw RegistryException.invalid("artifacts[" + i + "].objectKey", "objectKey of '" + file
                        + "' must be '" + prefix + file + "', the coordinator's key for this job round");
            }
        }
        for (String required : REQUIRED_JOB_FILES) {
            if (!seen.contains(required)) {
                throw RegistryException.invalid("artifacts", "a version needs the file '" + required + "'");
            }
        }
    }

    /** Where the coordinator leaves the files of job round {@code source}'s version (its {@code TaskKeys}). */
    static String versionPrefix(RegisterVersionRequest.Source source) {
        return "jobs/" + source.jobId() + "/rounds/" + source.round() + "/version/";
    }

    /** The parent exists, this job round has no version yet, and the parent is the latest of the job's line. */
    private void checkLine(Model model, RegisterVersionRequest request) {
        int parent = request.parentVersion();
        if (versions.findByModelAndNumber(model, parent).isEmpty()) {
            throw new RegistryException(ProblemType.VERSION_NOT_FOUND,
                    "model '" + model.name() + "' has no version " + parent, "parentVersion");
        }
        String job = request.source().jobId();
        int round = request.source().round();
        versions.findByModelAndSourceJobIdAndSourceRound(model, job, round).ifPresent(existing -> {
            throw new RegistryException(ProblemType.VERSION_EXISTS, "job " + job + " round " + round
                    + " is already version " + existing.number() + " of '" + model.name() + "'", "source")
                    .with("existingVersion", existing.number());
        });
        versions.findFirstByModelAndSourceJobIdOrderByNumberDesc(model, job).ifPresent(latest -> {
            if (latest.number() != parent || latest.sourceRound() >= round) {
                throw new RegistryException(ProblemType.PARENT_NOT_LATEST, "the latest version of job " + job
                        + " is " + latest.number() + " (round " + latest.sourceRound() + "); round " + round
                        + " must have it as parent, not " + parent, "parentVersion")
                        .with("latestVersion", latest.number());
            }
        });
    }

    /** The version a number or alias names. @throws RegistryException 404 */
    public ModelVersion resolve(Model model, String ref) {
        Optional<ModelVersion> found;
        if (ref.matches("\\d{1,9}")) {
            found = versions.findByModelAndNumber(model, Integer.parseInt(ref));
        } else {
            found = aliases.findById(new Alias.Key(model.id(), ref))
                    .flatMap(a -> versions.findByModelAndNumber(model, a.versionNumber()));
        }
        return found.orElseThrow(() -> RegistryException.versionNotFound(model.name(), ref));
    }

    public Model model(String name) {
        return models.findByName(name).orElseThrow(() -> RegistryException.modelNotFound(name));
    }

    /** This version, its parent, ..., the base: the chain whose residuals make its base weights. */
    public List<ModelVersion> lineage(ModelVersion version) {
        Map<Integer, ModelVersion> all = new HashMap<>();
        for (ModelVersion v : versions.findByModelOrderByNumber(version.model())) {
            all.put(v.number(), v);
        }
        List<ModelVersion> chain = new ArrayList<>();
        for (ModelVersion v = version; v != null; v = v.parentNumber().map(all::get).orElse(null)) {
            chain.add(v);
        }
        return chain;
    }

    public Page<ModelVersion> page(Model model, int page, int size) {
        RegistryException.checkPage(page, size);
        return versions.findByModelOrderByNumberDesc(model, PageRequest.of(page, size));
    }

    /** A page of versions, newest first; archived ones only when {@code includeArchived}. */
    public Page<ModelVersion> page(Model model, int page, int size, boolean includeArchived) {
        RegistryException.checkPage(page, size);
        return includeArchived ? page(model, page, size) : notes.activeVersions(model, PageRequest.of(page, size));
    }

    public List<ModelVersion> all(Model model) {
        return versions.findByModelOrderByNumber(model);
    }

    public long count(Model model) {
        return versions.countByModel(model);
    }

    /** Alias name → version number, sorted by name. */
    public Map<String, Integer> aliases(Model model) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Alias a : aliases.findByModelId(model.id())) {
            out.put(a.name(), a.versionNumber());
        }
        return out;
    }

    /** Points a user alias at a version. {@code latest} is the registry's own and cannot be set. */
    public Map<String, Integer> setAlias(String modelName, String alias, int version) {
        if (!ALIAS.matcher(alias).matches()) {
            throw RegistryException.invalid("alias", "alias must match " + ALIAS.pattern());
        }
        if (Alias.LATEST.equals(alias)) {
            throw RegistryException.invalid("alias", "'latest' always names the newest version and cannot be set");
        }
        return tx.execute(s -> {
            Model model = models.lockByName(modelName).orElseThrow(() -> RegistryException.modelNotFound(modelName));
            if (versions.findByModelAndNumber(model, version).isEmpty()) {
                throw new RegistryException(ProblemType.VERSION_NOT_FOUND,
                        "model '" + modelName + "' has no version " + version, "version");
            }
            if (notes.findById(new VersionKey(model.id(), version)).map(VersionNote::archivedAt).isPresent()) {
                throw new RegistryException(ProblemType.VERSION_ARCHIVED, "version " + version + " of '" + modelName
                        + "' is archived; unarchive it before naming it " + alias, "version");
            }
            pointAlias(model, alias, version);
            return aliases(model);
        });
    }

    private void pointAlias(Model model, String name, int version) {
        Alias alias = aliases.findById(new Alias.Key(model.id(), name))
                .orElseGet(() -> new Alias(model.id(), name, version, clock.instant()));
        alias.pointAt(version, clock.instant());
        aliases.saveAndFlush(alias);
    }

    /**
     * Checks that the stored artifact still hashes to its recorded SHA-256, reading it unless the same object
     * (same ETag) was verified before. @throws RegistryException 500 artifact-corrupt when it does not
     */
    public void verify(Artifact artifact) {
        String etag = store.stat(artifact.objectKey()).map(ObjectStore.ObjectInfo::etag)
                .orElseThrow(() -> corrupt(artifact, "the object is missing"));
        if (etag.equals(verifiedEtags.get(artifact.objectKey()))) {
            return;
        }
        StoredObject got = store.hash(artifact.objectKey());
        if (!got.sha256().equals(artifact.sha256()) || got.size() != artifact.size()) {
            throw corrupt(artifact, "it hashes to " + got.sha256() + " (" + got.size() + " bytes), recorded "
                    + artifact.sha256() + " (" + artifact.size() + " bytes)");
        }
        verifiedEtags.put(artifact.objectKey(), etag);
    }

    /** Downloads the artifact into {@code target} and checks its checksum. @throws RegistryException on mismatch */
    public Path fetchVerified(Artifact artifact, Path target) {
        StoredObject got;
        try {
            got = store.download(artifact.objectKey(), target);
        } catch (ObjectNotFoundException e) {
            throw corrupt(artifact, "the object is missing");
        }
        if (!got.sha256().equals(artifact.sha256()) || got.size() != artifact.size()) {
            throw corrupt(artifact, "it hashes to " + got.sha256() + ", recorded " + artifact.sha256());
        }
        return target;
    }

    private static RegistryException corrupt(Artifact a, String why) {
        return new RegistryException(ProblemType.ARTIFACT_CORRUPT,
                "artifact '" + a.fileName() + "' at '" + a.objectKey() + "' failed verification: " + why, "file");
    }

    /** The API view of a version; {@code lineage} null leaves it out. */
    public VersionResponse toResponse(ModelVersion v, List<String> aliasNames, List<ModelVersion> lineage) {
        Optional<VersionNote> note = notes.findById(new VersionKey(v.model().id(), v.number()));
        return new VersionResponse(v.model().name(), v.number(), v.parentNumber().orElse(null), source(v),
                v.method(), metrics(v), v.exactnessError(), clients(v), v.createdAt(),
                v.artifacts().stream().map(a -> new VersionResponse.ArtifactResponse(a.fileName(), a.objectKey(),
                        a.sha256(), a.size())).toList(),
                aliasNames,
                lineage == null ? null : lineage.stream().map(l -> new VersionResponse.LineageEntry(l.number(),
                        l.parentNumber().orElse(null), l.method(), source(l), l.exactnessError(), l.createdAt()))
                        .toList(),
                note.map(VersionNote::description).orElse(null),
                note.map(n -> json.readValue(n.tagsJson(), new TypeReference<List<String>>() { })).orElse(List.of()),
                note.map(VersionNote::archivedAt).isPresent());
    }

    public Map<String, Object> metrics(ModelVersion v) {
        return json.readValue(v.metricsJson(), new TypeReference<LinkedHashMap<String, Object>>() { });
    }

    private List<Map<String, Object>> clients(ModelVersion v) {
        return json.readValue(v.clientsJson(), new TypeReference<List<Map<String, Object>>>() { });
    }

    private static VersionResponse.Source source(ModelVersion v) {
        return new VersionResponse.Source(v.sourceKind().name(), v.sourceJobId(), v.sourceRound());
    }
}
