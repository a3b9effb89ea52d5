package dev.fedexlora.core.aggregate;

/** Client adapters that cannot be aggregated together; the message names the client and the layer. */
public class IncompatibleAdaptersException extends IllegalArgumentException {

    public IncompatibleAdaptersException(String message) {
        super(message);
    }
}
