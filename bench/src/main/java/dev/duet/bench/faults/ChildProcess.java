package dev.duet.bench.faults;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One process of the fault suite (broker, worker or job): a JVM started with this JVM's java and
 * classpath, the classpath in the {@code CLASSPATH} environment variable rather than {@code -cp}
 * (ONNX Runtime crashes while initialising with a long command line, docs/worker.md), its output
 * appended to a log file. It can be killed, stopped and started again with the same command.
 * {@link #close()} kills it, so try-with-resources never leaves one behind.
 */
final class ChildProcess implements AutoCloseable {

    private final String name;
    private final List<String> command;
    private final Path log;
    private Process process;
    private long logOffset;

    private ChildProcess(String name, List<String> command, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.log = log;
    }

    /**
     * A JVM running {@code mainClass} with {@code args}, with the heap and system properties in
     * {@code jvmOptions}; not started yet.
     */
    static ChildProcess java(String name, List<String> jvmOptions, String mainClass, List<String> args, Path log) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(jvmOptions);
        c.add("-Djava.awt.headless=true");
        c.add(mainClass);
        c.addAll(args);
        return new ChildProcess(name, c, log);
    }

    /** Starts (or starts again) the same command; its output goes to the end of the log. */
    synchronized ChildProcess start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        logOffset = Files.exists(log) ? Files.size(log) : 0;
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        b.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        process = b.start();
        return this;
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL ({@code kill -9}) and wait until it is gone. */
    synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM, and SIGKILL when it has not ended within {@code grace}. */
    synchronized void stop(Duration grace) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        }
    }

    /**
     * Waits until the output of the current run holds a line containing {@code text}, and returns
     * it; fails with the end of the log when the process ends first or the time runs out.
     */
    String awaitLine(String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = findLine(text);
            if (line != null) {
                return line;
            }
            if (!alive()) {
                throw new IllegalStateException(name + " ended before printing '" + text + "'; the end of " + log + ":\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not print '" + text + "' within " + timeout.toSeconds()
                        + " s; the end of " + log + ":\n" + tail());
            }
            Thread.sleep(100);
        }
    }

    /** The first line of the current run's output so far that contains {@code text}, or null. */
    String findLine(String text) throws IOException {
        for (String line : linesSinceStart()) {
            if (line.contains(text)) {
                return line;
            }
        }
        return null;
    }

    private List<String> linesSinceStart() throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long length = f.length() - logOffset;
            if (length <= 0) {
                return List.of();
            }
            byte[] bytes = new byte[(int) Math.min(length, 16 << 20)];
            f.seek(logOffset);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** The last lines of the current run's output. */
    String tail() throws IOException {
        List<String> lines = linesSinceStart();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
