package dev.fedexlora.cli.platform;

/** The platform answered with an error or could not be reached; the message says which and what to do. */
public final class PlatformException extends RuntimeException {

    public PlatformException(String message) {
        super(message);
    }

    public PlatformException(String message, Throwable cause) {
        super(message, cause);
    }
}
