package dev.fedexlora.train.data;

import java.io.IOException;
import java.nio.file.Path;

/** A dataset file that breaks the JSONL format; names the file, the line and (when known) the field. */
public final class InvalidDatasetException extends IOException {

    private final transient Path file;
    private final int line;
    private final String field;

    public InvalidDatasetException(Path file, int line, String field, String problem) {
        super(file + ":" + line + (field == null ? "" : ": field '" + field + "'") + ": " + problem);
        this.file = file;
        this.line = line;
        this.field = field;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    /** The offending field, or null when the line is not JSON at all. */
    public String field() {
        return field;
    }
}
