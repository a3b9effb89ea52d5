package dev.fedexlora.registry.version;

import jakarta.persistence.Column;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.time.Instant;

/** The mutable notes on an immutable version: description, tags (JSON array) and archive time. */
@Entity
@Table(name = "version_note")
class VersionNote {

    @EmbeddedId
    private VersionKey key;

    private String description;

    @Column(name = "tags_json")
    private String tagsJson;

    @Column(name = "archived_at")
    private Instant archivedAt;

    @Column(name = "updated_at")
    private Instant updatedAt;

    protected VersionNote() {
    }

    VersionNote(long modelId, int number, Instant now) {
        this.key = new VersionKey(modelId, number);
        this.tagsJson = "[]";
        this.updatedAt = now;
    }

    String description() {
        return description;
    }

    String tagsJson() {
        return tagsJson;
    }

    Instant archivedAt() {
        return archivedAt;
    }

    void describe(String description, String tagsJson, Instant now) {
        this.description = description;
        this.tagsJson = tagsJson;
        this.updatedAt = now;
    }

    void archive(Instant at) {
        this.archivedAt = at;
        this.updatedAt = at;
    }

    void unarchive(Instant now) {
        this.archivedAt = null;
        this.updatedAt = now;
    }
}
