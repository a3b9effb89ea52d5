package dev.fedexlora.coordinator.registry;

/**
 * A call to the model registry failed: the registry refused it, or did not answer. {@code status} is the
 * registry's HTTP status, or 0 when it could not be reached. (The registry's own API errors are its
 * {@code RegistryException}; this is the coordinator's view of a failed call, answered 503 when it reaches a user.)
 */
public class RegistryCallException extends RuntimeException {

    private final int status;
    private final Integer existingVersion;

    public RegistryCallException(String message, int status, Throwable cause) {
        this(message, status, null, cause);
    }

    public RegistryCallException(String message, int status, Integer existingVersion, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.existingVersion = existingVersion;
    }

    /**
     * On a 409 {@code version-exists}: the version the registry already holds for the job round (its problem
     * property {@code existingVersion}); null otherwise.
     */
    public Integer existingVersion() {
        return existingVersion;
    }

    public int status() {
        return status;
    }

    public boolean notFound() {
        return status == 404;
    }

    public boolean conflict() {
        return status == 409;
    }
}
