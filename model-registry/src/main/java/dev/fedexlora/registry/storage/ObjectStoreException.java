package dev.fedexlora.registry.storage;

/** The object store failed or answered something unexpected; a server-side problem (5xx). */
public class ObjectStoreException extends RuntimeException {

    public ObjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
