package dev.fedexlora.registry.version;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/** A name pointing at one version of a model ({@code latest}, {@code production}, ...). */
@Entity
@Table(name = "alias")
class Alias {

    static final String LATEST = "latest";

    @EmbeddedId
    private Key key;

    @Column(name = "version_number")
    private int versionNumber;

    @Column(name = "updated_at")
    private Instant updatedAt;

    protected Alias() {
    }

    Alias(long modelId, String name, int versionNumber, Instant updatedAt) {
        this.key = new Key(modelId, name);
        this.versionNumber = versionNumber;
        this.updatedAt = updatedAt;
    }

    String name() {
        return key.name;
    }

    int versionNumber() {
        return versionNumber;
    }

    void pointAt(int version, Instant at) {
        this.versionNumber = version;
        this.updatedAt = at;
    }

    @Embeddable
    record Key(@Column(name = "model_id") long modelId, @Column(name = "name") String name) implements Serializable {
    }
}
