package dev.fedexlora.registry.storage;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Readiness (health contributor "objectStore"): the registry cannot store or serve versions without its bucket. */
@Component
class ObjectStoreHealthIndicator implements HealthIndicator {

    private final ObjectStore store;

    ObjectStoreHealthIndicator(ObjectStore store) {
        this.store = store;
    }

    @Override
    public Health health() {
        try {
            return store.bucketExists()
                    ? Health.up().withDetail("bucket", store.bucket()).build()
                    : Health.down().withDetail("bucket", store.bucket()).withDetail("error", "bucket missing").build();
        } catch (ObjectStoreException e) {
            return Health.down().withDetail("bucket", store.bucket()).withDetail("error", e.getMessage()).build();
        }
    }
}
