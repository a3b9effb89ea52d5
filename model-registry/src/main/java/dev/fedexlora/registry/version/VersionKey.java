package dev.fedexlora.registry.version;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import java.io.Serializable;

/** A version by model id and number: the key of the rows that annotate a version. */
@Embeddable
record VersionKey(@Column(name = "model_id") long modelId, @Column(name = "number") int number)
        implements Serializable {
}
