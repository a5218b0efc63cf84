package dev.duet.collab.demo;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Works around the native crash docs/worker.md describes: ONNX Runtime 1.29 (Linux x86-64) dies
 * with SIGSEGV while it initialises when the process command line is longer than about 4 KB, which
 * the launcher's {@code java -cp <Maven classpath>} is. The worker CLI has the same workaround, but
 * package-private; the demo loads ONNX Runtime (CRM, text encoder) and needs its own. When the
 * command line is long, the demo runs again in a child JVM that gets its classpath through the
 * CLASSPATH variable; the parent forwards the exit code and, when it is stopped (Ctrl-C), stops
 * the child gracefully so the child's shutdown hook cleans up.
 */
public final class ShortCommandLine {

    static final String MARKER = "duet.demo.relaunched";
    private static final int SAFE_COMMAND_LINE = 3500;

    private ShortCommandLine() {}

    /** Returns the child's exit code, or -1 when the demo may run in this JVM. */
    public static int relaunchIfNeeded() throws Exception {
        Path cmdline = Path.of("/proc/self/cmdline");
        if (System.getProperty(MARKER) != null || !Files.isReadable(cmdline)
                || Files.readAllBytes(cmdline).length < SAFE_COMMAND_LINE) {
            return -1;
        }
        // The process's own arguments, exactly (no re-quoting): everything after the main class.
        List<String> all = List.of(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).split("\0"));
        String mainClass = System.getProperty("sun.java.command", "").split(" ")[0];
        int at = all.indexOf(mainClass);
        if (mainClass.isEmpty() || at < 0) {
            return -1;
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-D" + MARKER + "=true");
        command.add(mainClass);
        command.addAll(all.subList(at + 1, all.size()));
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
        }, "duet-demo-relaunch-stop");
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
