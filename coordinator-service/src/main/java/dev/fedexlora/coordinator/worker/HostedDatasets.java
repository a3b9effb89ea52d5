package dev.fedexlora.coordinator.worker;

import java.util.Map;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * The data sets one client of a worker holds, as the worker announced them: data set name → example count (a JSON
 * object in {@code worker_clients.datasets_json}).
 */
@Embeddable
record HostedDatasets(@JdbcTypeCode(SqlTypes.JSON) @Column(name = "datasets_json") Map<String, Long> examples) {

    HostedDatasets {
        examples = Map.copyOf(examples);
    }

    /** The example count of {@code dataset}; 0 when the client does not hold it. */
    long of(String dataset) {
        return examples.getOrDefault(dataset, 0L);
    }
}
