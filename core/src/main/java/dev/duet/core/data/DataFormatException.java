package dev.duet.core.data;

import java.nio.file.Path;

/** A data file that cannot be read; the message names the file, the line and what was wrong. */
public class DataFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(Path file, long line, String reason) {
        super(file + ":" + line + ": " + reason);
    }
}
