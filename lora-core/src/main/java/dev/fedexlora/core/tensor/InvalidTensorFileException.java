package dev.fedexlora.core.tensor;

import java.io.IOException;
import java.nio.file.Path;

/** A tensor file that cannot be read as what it claims to be; the message names the file and the problem. */
public class InvalidTensorFileException extends IOException {

    public InvalidTensorFileException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public InvalidTensorFileException(String source, String problem) {
        super(source + ": " + problem);
    }
}
