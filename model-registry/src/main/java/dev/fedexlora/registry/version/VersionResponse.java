package dev.fedexlora.registry.version;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A version as the API shows it. {@code lineage} (this version first, back to the base) is present on a single
 * version's answer and absent in lists. {@code description}, {@code tags} and {@code archived} are the version's
 * notes, which users change after registration (the rest never changes).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VersionResponse(String model, int version, Integer parentVersion, Source source, String method,
                              Map<String, Object> metrics, Double exactnessError, List<Map<String, Object>> clients,
                              Instant createdAt, List<ArtifactResponse> artifacts, List<String> aliases,
                              List<LineageEntry> lineage, String description, List<String> tags,
                              boolean archived) {

    /** {@code kind} is UPLOAD, IMPORT or JOB; {@code jobId} and {@code round} only for JOB. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(String kind, String jobId, Integer round) {
    }

    public record ArtifactResponse(String file, String objectKey, String sha256, long size) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LineageEntry(int version, Integer parentVersion, String method, Source source,
                               Double exactnessError, Instant createdAt) {
    }
}
