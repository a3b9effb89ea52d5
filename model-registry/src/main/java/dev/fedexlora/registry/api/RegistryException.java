package dev.fedexlora.registry.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the registry refuses or cannot serve, with its problem type, the offending field or file when there
 * is one, and extra properties for the problem detail (e.g. the existing version on a conflict).
 */
public class RegistryException extends RuntimeException {

    private final ProblemType type;
    private final String field;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public RegistryException(ProblemType type, String detail) {
        this(type, detail, null);
    }

    public RegistryException(ProblemType type, String detail, String field) {
        super(detail);
        this.type = type;
        this.field = field;
    }

    public RegistryException with(String property, Object value) {
        properties.put(property, value);
        return this;
    }

    public ProblemType type() {
        return type;
    }

    /** The request field, multipart part or artifact file at fault; null when the whole request is. */
    public String field() {
        return field;
    }

    public Map<String, Object> properties() {
        return properties;
    }

    public static RegistryException modelNotFound(String name) {
        return new RegistryException(ProblemType.MODEL_NOT_FOUND, "no model named '" + name + "'", "name");
    }

    public static RegistryException versionNotFound(String model, String version) {
        return new RegistryException(ProblemType.VERSION_NOT_FOUND,
                "model '" + model + "' has no version or alias '" + version + "'", "version");
    }

    public static RegistryException invalid(String field, String detail) {
        return new RegistryException(ProblemType.INVALID_REQUEST, detail, field);
    }

    /**
     * A page request the database can answer: {@code page} from 0 and its first row ({@code page × size}) within
     * an int, which is what the database's offset takes. Larger pages would overflow into a negative offset.
     */
    public static void checkPage(int page, int size) {
        if (size < 1) {
            throw invalid("size", "size must be 1 or more");
        }
        if (page < 0 || (long) page * size > Integer.MAX_VALUE) {
            throw invalid("page", "page must be between 0 and " + Integer.MAX_VALUE / size + " for size " + size);
        }
    }
}
