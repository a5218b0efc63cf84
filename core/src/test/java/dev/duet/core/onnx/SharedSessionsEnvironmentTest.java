package dev.duet.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's environment comes up from a thread with a small stack in a JVM with a long
 * command line, as a Flink task thread in a TaskManager: creating it there directly overflowed
 * the stack and killed the JVM with SIGSEGV (exit 139; the standalone cluster test found it).
 * Runs in a child JVM, since a failure is a crash.
 */
class SharedSessionsEnvironmentTest {

    /** The child: the environment from a 512 KB-stack thread; exit 0 once it exists. */
    public static void main(String[] args) throws Exception {
        Object[] env = new Object[1];
        Thread small = new Thread(null, () -> env[0] = SharedSessions.environment(), "small-stack", 512 * 1024);
        small.start();
        small.join();
        System.exit(env[0] != null ? 0 : 1);
    }

    @Test
    void theEnvironmentComesUpFromASmallStackInAJvmWithALongCommandLine(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("child.out");
        Process child = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dpadding=" + "a".repeat(20_000), // ONNX Runtime 1.29 crashed from about 4,000
                        "-cp", System.getProperty("java.class.path"),
                        SharedSessionsEnvironmentTest.class.getName()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("child JVM ended").isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("child exit (139: SIGSEGV); output: %s", Files.readString(out)).isZero();
    }
}
