package dev.duet.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the data sets and models of {@code ../shared} for tests, through one setting.
 *
 * <p>The location comes from the system property {@code duet.shared} (set by the parent POM's
 * Surefire configuration to {@code ../shared} beside the checkout), or else the environment
 * variable {@code DUET_SHARED}. A test that needs a file which is absent fails with a message that
 * says where it looked and how to point it elsewhere; it never passes silently.
 */
public final class SharedResources {

    public static final String PROPERTY = "duet.shared";
    public static final String ENV = "DUET_SHARED";

    private SharedResources() {}

    /** The shared folder itself; fails when it does not exist. */
    public static Path root() {
        String configured = System.getProperty(PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(ENV);
        }
        if (configured == null || configured.isBlank()) {
            configured = "../shared";
        }
        Path root = Path.of(configured).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException(
                    "The shared data folder "
                            + root
                            + " does not exist. Place ../shared beside the checkout or set -D"
                            + PROPERTY
                            + "=DIR (or the environment variable "
                            + ENV
                            + ").");
        }
        return root;
    }

    /** A file or folder under the shared folder, e.g. {@code data/ml-100k}; fails when absent. */
    public static Path resolve(String relative) {
        Path path = root().resolve(relative);
        if (!Files.exists(path)) {
            throw new IllegalStateException(
                    "Required shared resource "
                            + path
                            + " is missing (shared folder from -D"
                            + PROPERTY
                            + " or "
                            + ENV
                            + ").");
        }
        return path;
    }
}
