package dev.duet.trainer.cli;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.Datasets;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data comes from: a folder, an official download, or the synthetic generator. */
public final class DataOptions {

    @Option(names = "--data", paramLabel = "DIR", description = "Data folder (MovieLens 100K/1M/CSV or LLaRA LastFM). Default: synthetic data.")
    Path data;

    @Option(names = "--download", paramLabel = "NAME", description = "Download an official archive first: ml-100k or ml-1m (needs a network).")
    String download;

    @Option(names = "--download-dir", paramLabel = "DIR", description = "Where downloads go (default: ${DEFAULT-VALUE}).", defaultValue = "${sys:user.home}/.duet/data")
    Path downloadDir;

    @Option(names = "--synthetic-users", description = "Synthetic data: users (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int users;

    @Option(names = "--synthetic-items", description = "Synthetic data: items (default: ${DEFAULT-VALUE}).", defaultValue = "1700")
    int items;

    @Option(names = "--synthetic-ratings", description = "Synthetic data: ratings (default: ${DEFAULT-VALUE}).", defaultValue = "100000")
    int ratings;

    @Option(names = "--seed", description = "Seed of the synthetic data (default: ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    /** Loads (or downloads, or generates) the data set, reporting what it does. */
    public Dataset load(PrintStream out) throws IOException {
        Path folder = data;
        if (download != null) {
            if (data != null) {
                throw new IllegalArgumentException("--data and --download exclude each other");
            }
            folder = MovieLensDownloader.download(download, downloadDir, out);
        }
        long start = System.nanoTime();
        Dataset dataset;
        if (folder != null) {
            out.printf("Loading %s (%s)...%n", folder, Datasets.readerFor(folder).layout());
            dataset = Datasets.load(folder);
        } else {
            out.printf("No --data given: generating synthetic data (%d users, %d items, %d ratings, seed %d)...%n", users, items, ratings, seed);
            dataset = new SyntheticDatasetGenerator(syntheticConfig()).generate();
        }
        out.printf("Loaded %s: %,d records, %,d items, %,d users in %.1f s%n", dataset.name(), dataset.size(), dataset.items().size(), dataset.users().size(), (System.nanoTime() - start) / 1e9);
        return dataset;
    }

    /** Where {@link #load} reads from, for error messages: the folder, the download, or "synthetic data". */
    public String source() {
        if (data != null) {
            return data.toString();
        }
        return download != null ? "the " + download + " download in " + downloadDir : "synthetic data";
    }

    public SyntheticConfig syntheticConfig() {
        return SyntheticConfig.builder().users(users).items(items).ratings(ratings).seed(seed).build();
    }
}
