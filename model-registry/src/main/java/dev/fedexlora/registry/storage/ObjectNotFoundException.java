package dev.fedexlora.registry.storage;

/** No object under the given key. */
public class ObjectNotFoundException extends RuntimeException {

    private final String key;

    public ObjectNotFoundException(String key) {
        super("no object under key '" + key + "'");
        this.key = key;
    }

    public String key() {
        return key;
    }
}
