package dev.fedexlora.registry.version;

import dev.fedexlora.registry.api.ProblemType;
import dev.fedexlora.registry.api.RegistryException;
import dev.fedexlora.registry.catalog.Model;
import dev.fedexlora.registry.catalog.ModelRepository;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * What users change on a version after it exists: description and tags, archiving, removing aliases. Archiving
 * hides a version from listings and from new aliases; it never deletes anything, so a lineage through an archived
 * version still resolves and its artifacts still download. A version an alias names (including {@code latest})
 * cannot be archived: the alias would name a hidden version.
 */
@Service
public class VersionCuration {

    private static final java.util.regex.Pattern TAG = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._:-]{0,63}");

    private final ModelRepository models;
    private final Versions versions;
    private final VersionNoteRepository notes;
    private final AliasRepository aliases;
    private final TransactionTemplate tx;
    private final ObjectMapper json;
    private final Clock clock;

    VersionCuration(ModelRepository models, Versions versions, VersionNoteRepository notes, AliasRepository aliases,
                    PlatformTransactionManager txManager, ObjectMapper json, Clock clock) {
        this.models = models;
        this.versions = versions;
        this.notes = notes;
        this.aliases = aliases;
        this.tx = new TransactionTemplate(txManager);
        this.json = json;
        this.clock = clock;
    }

    /** Sets description and/or tags (null keeps, empty clears) and returns the version with its lineage. */
    public VersionResponse describe(String modelName, String ref, VersionNotesRequest request) {
        check(request);
        return tx.execute(s -> {
            Model model = lock(modelName);
            ModelVersion v = versions.resolve(model, ref);
            VersionNote note = note(model, v);
            String description = request.description() == null ? note.description()
                    : request.description().isBlank() ? null : request.description().strip();
            String tags = request.tags() == null ? note.tagsJson()
                    : json.writeValueAsString(new TreeSet<>(request.tags()));
            note.describe(description, tags, clock.instant());
            notes.saveAndFlush(note);
            return view(model, v);
        });
    }

    /** Hides the version. 409 version-aliased when an alias names it; archiving twice changes nothing. */
    public VersionResponse archive(String modelName, String ref) {
        return tx.execute(s -> {
            Model model = lock(modelName);
            ModelVersion v = versions.resolve(model, ref);
            List<String> names = VersionController.aliasesOf(versions.aliases(model), v.number());
            if (!names.isEmpty()) {
                throw new RegistryException(ProblemType.VERSION_ALIASED, "version " + v.number() + " of '"
                        + model.name() + "' is named by " + String.join(", ", names) + "; point "
                        + (names.size() == 1 ? "that alias" : "those aliases")
                        + " elsewhere first ('latest' moves when a newer version is registered)", "version")
                        .with("aliases", names);
            }
            VersionNote note = note(model, v);
            if (note.archivedAt() == null) {
                note.archive(clock.instant());
                notes.saveAndFlush(note);
            }
            return view(model, v);
        });
    }

    /** Shows the version again; unarchiving a version that is not archived changes nothing. */
    public VersionResponse unarchive(String modelName, String ref) {
        return tx.execute(s -> {
            Model model = lock(modelName);
            ModelVersion v = versions.resolve(model, ref);
            VersionNote note = note(model, v);
            if (note.archivedAt() != null) {
                note.unarchive(clock.instant());
                notes.saveAndFlush(note);
            }
            return view(model, v);
        });
    }

    /** Removes a user alias; {@code latest} cannot be removed. 404 when the model has no such alias. */
    public Map<String, Integer> removeAlias(String modelName, String alias) {
        if (Alias.LATEST.equals(alias)) {
            throw RegistryException.invalid("alias", "'latest' always names the newest version and cannot be removed");
        }
        return tx.execute(s -> {
            Model model = lock(modelName);
            Alias.Key key = new Alias.Key(model.id(), alias);
            if (!aliases.existsById(key)) {
                throw new RegistryException(ProblemType.VERSION_NOT_FOUND, "model '" + modelName
                        + "' has no alias '" + alias + "'", "alias");
            }
            aliases.deleteById(key);
            aliases.flush();
            return versions.aliases(model);
        });
    }

    /** The same rules as the request's annotations, for callers that do not validate (the pages). */
    private static void check(VersionNotesRequest request) {
        if (request.description() != null && request.description().length() > 4000) {
            throw RegistryException.invalid("description", "a description holds at most 4000 characters");
        }
        if (request.tags() != null) {
            if (request.tags().size() > 20) {
                throw RegistryException.invalid("tags", "a version has at most 20 tags");
            }
            for (int i = 0; i < request.tags().size(); i++) {
                String tag = request.tags().get(i);
                if (tag == null || !TAG.matcher(tag).matches()) {
                    throw RegistryException.invalid("tags[" + i + "]", "tag '" + tag + "' must match " + TAG.pattern());
                }
            }
        }
    }

    /** Version numbers of a model that are archived, ascending. */
    public List<Integer> archived(Model model) {
        return notes.archivedNumbers(model.id());
    }

    private VersionResponse view(Model model, ModelVersion v) {
        return versions.toResponse(v, VersionController.aliasesOf(versions.aliases(model), v.number()),
                versions.lineage(v));
    }

    private Model lock(String name) {
        return models.lockByName(name).orElseThrow(() -> RegistryException.modelNotFound(name));
    }

    private VersionNote note(Model model, ModelVersion v) {
        return notes.findById(new VersionKey(model.id(), v.number()))
                .orElseGet(() -> new VersionNote(model.id(), v.number(), clock.instant()));
    }
}
