package dev.fedexlora.platform.storage;

/** No object under the given key (every read of a missing key says so; {@link ObjectStore#stat} asks first). */
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
