package dev.fedexlora.platform.storage;

/** The object store failed or did not answer: an upstream outage (the API answers 503), the call may be retried. */
public class ObjectStoreException extends RuntimeException {

    public ObjectStoreException(String what, Throwable cause) {
        super(what + " failed: " + cause.getMessage(), cause);
    }
}
