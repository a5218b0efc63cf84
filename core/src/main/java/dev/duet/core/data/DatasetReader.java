package dev.duet.core.data;

import java.io.IOException;
import java.nio.file.Path;

/** Reads one data-set layout from a folder. */
public interface DatasetReader {

    /** A short name of the layout, e.g. "MovieLens-100K". */
    String layout();

    /** Whether {@code folder} holds this layout (its marker files exist). */
    boolean accepts(Path folder);

    /**
     * Loads the folder.
     *
     * @throws DataFormatException on a malformed line, naming file, line and reason
     */
    Dataset read(Path folder) throws IOException;
}
