package dev.fedexlora.core.validate;

import dev.fedexlora.core.tensor.InvalidTensorFileException;

/**
 * An upload refused by {@link UploadValidator}: the message reads {@code <file>: <field>: <problem>}, and the file and
 * field are kept apart for an API's problem detail.
 */
public class RejectedUploadException extends InvalidTensorFileException {

    private final String file;
    private final String field;

    public RejectedUploadException(String file, String field, String problem) {
        super(file, field + ": " + problem);
        this.file = file;
        this.field = field;
    }

    /** The file refused, as the caller named it. */
    public String file() {
        return file;
    }

    /** The JSON field or tensor key at fault ({@code size} for the file's length). */
    public String field() {
        return field;
    }
}
