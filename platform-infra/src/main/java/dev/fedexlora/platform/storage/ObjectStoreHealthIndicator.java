package dev.fedexlora.platform.storage;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** Readiness (health contributor "objectStore"): no service of the platform works without its bucket. */
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
