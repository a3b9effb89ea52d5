package dev.fedexlora.registry.api;

import java.net.URI;
import org.springframework.http.HttpStatus;

/** The stable problem types of the registry's API, each with its HTTP status. */
public enum ProblemType {
    MODEL_NOT_FOUND(HttpStatus.NOT_FOUND, "model-not-found", "Model not found"),
    VERSION_NOT_FOUND(HttpStatus.NOT_FOUND, "version-not-found", "Version not found"),
    ARTIFACT_NOT_FOUND(HttpStatus.NOT_FOUND, "artifact-not-found", "Artifact not found"),
    MODEL_EXISTS(HttpStatus.CONFLICT, "model-exists", "Model already exists"),
    VERSION_EXISTS(HttpStatus.CONFLICT, "version-exists", "Version already exists"),
    VERSION_ALIASED(HttpStatus.CONFLICT, "version-aliased", "Version is named by an alias"),
    VERSION_ARCHIVED(HttpStatus.CONFLICT, "version-archived", "Version is archived"),
    PARENT_NOT_LATEST(HttpStatus.CONFLICT, "parent-not-latest", "Parent is not the latest version of its line"),
    CHECKSUM_MISMATCH(HttpStatus.UNPROCESSABLE_CONTENT, "checksum-mismatch", "Checksum mismatch"),
    ARTIFACT_MISSING(HttpStatus.UNPROCESSABLE_CONTENT, "artifact-missing", "Artifact missing from the object store"),
    MALFORMED_CHECKPOINT(HttpStatus.BAD_REQUEST, "malformed-checkpoint", "Malformed checkpoint"),
    MALFORMED_ARTIFACT(HttpStatus.BAD_REQUEST, "malformed-artifact", "Malformed artifact"),
    INVALID_REQUEST(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request"),
    ARTIFACT_CORRUPT(HttpStatus.INTERNAL_SERVER_ERROR, "artifact-corrupt",
            "Stored artifact does not match its recorded checksum"),
    STORAGE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "object-store-unavailable", "Object store unavailable");

    private static final String BASE = "https://fedex-lora.dev/problems/";

    private final HttpStatus status;
    private final String slug;
    private final String title;

    ProblemType(HttpStatus status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    public URI uri() {
        return URI.create(BASE + slug);
    }
}
