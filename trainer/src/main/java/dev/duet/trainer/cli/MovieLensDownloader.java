package dev.duet.trainer.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Fetches an official MovieLens archive from GroupLens on request (never silently) and unpacks it.
 * The data's terms (research use, no redistribution) are the user's to accept; Duet ships no data.
 */
public final class MovieLensDownloader {

    private static final Map<String, String> ARCHIVES =
            Map.of(
                    "ml-100k", "https://files.grouplens.org/datasets/movielens/ml-100k.zip",
                    "ml-1m", "https://files.grouplens.org/datasets/movielens/ml-1m.zip");

    private MovieLensDownloader() {}

    /** Downloads and unpacks {@code name} under {@code dir} unless already there; returns its folder. */
    public static Path download(String name, Path dir, PrintStream out) throws IOException {
        String url = ARCHIVES.get(name);
        if (url == null) {
            throw new IllegalArgumentException("unknown download '" + name + "': choose one of " + ARCHIVES.keySet());
        }
        Path folder = dir.resolve(name);
        if (Files.isDirectory(folder) && Files.list(folder).findAny().isPresent()) {
            out.println("Using the earlier download in " + folder);
            return folder;
        }
        Files.createDirectories(dir);
        Path zip = dir.resolve(name + ".zip.part");
        out.println("Downloading " + url + " (GroupLens; research use, see its README) ...");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();
        try {
            HttpResponse<Path> response =
                    client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofFile(zip));
            if (response.statusCode() != 200) {
                throw new IOException("download of " + url + " failed with HTTP " + response.statusCode());
            }
        } catch (IOException e) {
            Files.deleteIfExists(zip);
            throw new IOException(
                    "cannot download " + url + " (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                            + "); without a network, fetch the archive elsewhere, unpack it and pass --data DIR",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("download interrupted", e);
        }
        unzip(zip, dir);
        Files.delete(zip);
        if (!Files.isDirectory(folder)) {
            throw new IOException("the archive of " + name + " did not contain the folder " + name);
        }
        out.println("Unpacked into " + folder);
        return folder;
    }

    private static void unzip(Path zip, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        try (InputStream in = Files.newInputStream(zip); ZipInputStream zin = new ZipInputStream(in)) {
            ZipEntry entry;
            while ((entry = zin.getNextEntry()) != null) {
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("archive entry escapes the target folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zin, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
