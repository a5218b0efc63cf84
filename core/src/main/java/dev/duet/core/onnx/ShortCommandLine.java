package dev.duet.core.onnx;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Works around the native crash docs/worker.md describes: ONNX Runtime 1.29 (Linux x86-64) dies
 * with SIGSEGV while it initialises when the process command line is longer than about 4 KB, which
 * a {@code java -cp <Maven classpath>} easily is. The {@code ./duet} launcher avoids it by passing
 * the classpath in {@code CLASSPATH}; for a JVM started otherwise, every command line entry point
 * that loads ONNX Runtime calls {@link #relaunchIfNeeded} first. When the command line is long, the
 * command runs again in a child JVM that gets its classpath through the CLASSPATH variable; the
 * parent forwards the exit code and, when it is stopped (Ctrl-C, SIGTERM), stops the child
 * gracefully so the child's shutdown hooks clean up.
 */
public final class ShortCommandLine {

    static final String MARKER = "duet.relaunched";
    private static final int SAFE_COMMAND_LINE = 3500;

    private ShortCommandLine() {}

    /** Returns the child's exit code, or -1 when this JVM may load ONNX Runtime itself. */
    public static int relaunchIfNeeded() throws Exception {
        Path cmdline = Path.of("/proc/self/cmdline");
        if (System.getProperty(MARKER) != null || !Files.isReadable(cmdline)) {
            return -1;
        }
        byte[] bytes = Files.readAllBytes(cmdline);
        if (bytes.length < SAFE_COMMAND_LINE) {
            return -1;
        }
        // The process's own arguments, exactly (no re-quoting): everything after the main class.
        List<String> all = List.of(new String(bytes, StandardCharsets.UTF_8).split("\0"));
        String mainClass = System.getProperty("sun.java.command", "").split(" ", 2)[0];
        int at = all.indexOf(mainClass);
        if (mainClass.isEmpty() || at < 0 || mainClass.endsWith(".jar")) {
            return -1;
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-D" + MARKER + "=true");
        command.addAll(all.subList(at, all.size()));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process child = builder.start();
        Thread stopChild = new Thread(() -> {
            if (child.isAlive()) {
                child.destroy();
                try {
                    child.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "duet-relaunch-stop");
        Runtime.getRuntime().addShutdownHook(stopChild);
        int code = child.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stopChild);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running already and waits for the child.
        }
        return code;
    }
}
