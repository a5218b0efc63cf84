package dev.duet.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Chooses a reader from what a folder holds. */
public final class Datasets {

    private static final List<DatasetReader> READERS =
            List.of(
                    new MovieLens100kReader(),
                    new MovieLens1mReader(),
                    new MovieLensCsvReader(),
                    new LastFmLlaraReader());

    private Datasets() {}

    /** The reader for a folder's layout; fails with the layouts it knows when none fits. */
    public static DatasetReader readerFor(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new DataFormatException("Data folder does not exist: " + folder);
        }
        for (DatasetReader reader : READERS) {
            if (reader.accepts(folder)) {
                return reader;
            }
        }
        throw new DataFormatException(
                "Unknown data layout in "
                        + folder
                        + ": expected MovieLens-100K (u.data, u.item), MovieLens-1M (ratings.dat,"
                        + " movies.dat), MovieLens CSV (ratings.csv, movies.csv) or LLaRA LastFM"
                        + " (train.tsv, id2name.txt)");
    }

    /** Loads a folder with the reader its layout calls for. */
    public static Dataset load(Path folder) throws IOException {
        return readerFor(folder).read(folder);
    }
}
