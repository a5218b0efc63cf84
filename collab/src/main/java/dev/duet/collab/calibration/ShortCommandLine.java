package dev.duet.collab.calibration;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Works around the ONNX Runtime 1.29 crash documented in docs/worker.md: SIGSEGV while it
 * initialises when the process command line is longer than about 4 KB, which the launcher's
 * {@code java -cp <collab classpath>} (12 KB) is. Before any ONNX Runtime class loads, a command
 * re-runs itself in a child JVM that gets the classpath through the CLASSPATH variable; the
 * worker's own CLI does the same.
 */
final class ShortCommandLine {

    static final String MARKER = "duet.relaunched";
    private static final int SAFE_COMMAND_LINE = 3500;

    private ShortCommandLine() {}

    /** The child's exit code, or -1 when this JVM may load ONNX Runtime itself. */
    static int relaunchIfNeeded() throws Exception {
        Path self = Path.of("/proc/self/cmdline");
        if (System.getProperty(MARKER) != null || !Files.isReadable(self)) {
            return -1;
        }
        byte[] bytes = Files.readAllBytes(self);
        if (bytes.length < SAFE_COMMAND_LINE) {
            return -1;
        }
        List<String> tokens = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\0"));
        String command = System.getProperty("sun.java.command", "");
        String mainClass = command.split(" ", 2)[0];
        int main = tokens.indexOf(mainClass);
        if (mainClass.isEmpty() || main < 0 || mainClass.endsWith(".jar")) {
            return -1;
        }
        List<String> child = new ArrayList<>();
        child.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        child.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        child.add("-D" + MARKER + "=true");
        child.addAll(tokens.subList(main, tokens.size()));
        ProcessBuilder builder = new ProcessBuilder(child).inheritIO();
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process process = builder.start();
        Thread stop = new Thread(process::destroy, "duet-relaunch-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        int code = process.waitFor();
        Runtime.getRuntime().removeShutdownHook(stop);
        return code;
    }
}
