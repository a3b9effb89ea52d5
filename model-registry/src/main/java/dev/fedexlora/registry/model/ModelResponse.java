package dev.fedexlora.registry.model;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** A model as the API shows it, with its latest version number, version count and aliases. */
public record ModelResponse(String name, String architecture, String baseCheckpoint, Set<String> tags,
                            Instant createdAt, int latestVersion, long versionCount, Map<String, Integer> aliases) {
}
