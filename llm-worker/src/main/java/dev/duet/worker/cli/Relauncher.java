package dev.duet.worker.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Works around a native crash: ONNX Runtime 1.29 (Linux x86-64) dies with SIGSEGV while it
 * initialises when the process command line is longer than about 4 KB, which a {@code java -cp}
 * with a Maven classpath easily is. When that is the case (and ONNX Runtime is not loaded yet),
 * the command runs again in a child JVM that gets its classpath through the CLASSPATH variable,
 * so its command line stays short. The parent forwards the exit code and, on SIGTERM, stops the
 * child gracefully.
 */
final class Relauncher {

    static final String MARKER = "duet.relaunched";
    private static final int SAFE_COMMAND_LINE = 3500;

    private Relauncher() {}

    /** Returns the child's exit code, or -1 when the command may run in this JVM. */
    static int relaunchIfNeeded(String[] args) throws Exception {
        Path cmdline = Path.of("/proc/self/cmdline");
        if (System.getProperty(MARKER) != null || !Files.isReadable(cmdline)
                || Files.size(cmdline) < SAFE_COMMAND_LINE
                && Files.readAllBytes(cmdline).length < SAFE_COMMAND_LINE) {
            return -1;
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-D" + MARKER + "=true");
        command.add(Main.class.getName());
        command.addAll(List.of(args));
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
        Runtime.getRuntime().removeShutdownHook(stopChild);
        return code;
    }
}
