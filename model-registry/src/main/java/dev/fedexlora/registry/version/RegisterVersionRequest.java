package dev.fedexlora.registry.version;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/**
 * What the coordinator sends after aggregating a round: the artifacts already lie in the object store (under
 * {@code jobs/...}) and their checksums are what the registry verifies before committing the version.
 */
public record RegisterVersionRequest(
        @NotNull @Min(0) Integer parentVersion,
        @NotNull @Valid Source source,
        @NotBlank @Pattern(regexp = "(?i)FEDEX|FEDIT|FFA|CENTRALIZED", message = "must be FEDEX, FEDIT, FFA or CENTRALIZED")
        String method,
        List<@Valid Client> clients,
        Map<String, Object> metrics,
        Double exactnessError,
        @NotEmpty @Size(max = 32) List<@Valid @NotNull ArtifactRef> artifacts) {

    /** The highest round a version may come from: the coordinator's limit on a job's rounds. */
    public static final int MAX_ROUND = 10_000;

    /**
     * The job round that produced the version. The job id is one path segment of the coordinator's object keys;
     * rounds are bounded like a job's rounds on the coordinator (at most 10 000).
     */
    public record Source(
            @NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9_-]{0,99}", message = "must be a job id (letters, digits, '-', '_')")
            String jobId,
            @NotNull @Min(1) @Max(MAX_ROUND) Integer round) {
    }

    /** One client's contribution to the round. */
    public record Client(@NotBlank String clientId, String adapterSha256, Long examples, Double weight) {
    }

    /** One file of the version, as it lies in the object store. */
    public record ArtifactRef(
            @NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}", message = "must be a plain file name")
            String file,
            @NotBlank @Size(max = 900) String objectKey,
            @NotBlank @Pattern(regexp = "[0-9a-fA-F]{64}", message = "must be 64 hex digits") String sha256,
            @NotNull @PositiveOrZero Long size) {
    }
}
