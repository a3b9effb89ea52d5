package dev.fedexlora.coordinator.storage;

/** The object store failed or did not answer; the call may be retried. */
public class ObjectStoreException extends RuntimeException {

    public ObjectStoreException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
