package dev.duet.bench.pipeline;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Profiles one measured phase in this JVM (broker, job, worker and benchmark clients all run
 * here): from the run's one JFR recording, the phase's execution samples (threads running Java code, every 10 ms), native
 * method samples (threads inside native code such as ONNX Runtime or RocksDB, every 20 ms) and
 * garbage collections; and, sampled every second from {@code /proc/self/task}, the CPU time of
 * every thread of the process: Java threads, and the native ones the JVM's own beans do not show
 * (garbage collector, JIT compilers, ONNX Runtime's and RocksDB's thread pools); the kernel keeps
 * only the first 15 characters of a thread's name. Also the process's CPU time and the whole
 * machine's ({@code /proc/stat}), which shows when something outside this JVM competed for the
 * cores.
 */
final class Profiler {

    private static final int TOP = 12;
    /** Linux's USER_HZ, the unit of the CPU times in /proc (100 on every common platform). */
    private static final int TICKS_PER_SECOND = 100;
    /** Native frames where a thread waits for I/O rather than works; left out of the native table. */
    private static final Pattern IDLE_NATIVE =
            Pattern.compile(".*(EPoll\\.wait|epollWait|Net\\.poll|Net\\.accept|SocketDispatcher\\.read0|kevent|Thread\\.sleep).*");
    private static final Pattern TASK_SUFFIX = Pattern.compile("\\s*\\(\\d+/\\d+\\)(#\\d+)?$");
    private static final Pattern NUMBERS = Pattern.compile("\\d+");

    private final Recording recording;
    private final Instant begin = Instant.now();
    private final long wallStartNs = System.nanoTime();
    private final long processCpuStartNs = processCpuNs();
    private final long jitStartMs = JitStats.compileMs();
    private final long[] machineStart = machineJiffies();
    /** Per OS thread id: CPU ticks when first seen and now. */
    private final Map<Integer, long[]> threadCpu = new HashMap<>();
    private final Map<Integer, String> threadNames = new HashMap<>();
    private boolean sampled;
    private final Thread sampler;
    private volatile boolean sampling = true;

    private Profiler(Recording recording) {
        this.recording = recording;
        sampleThreads();
        sampler = new Thread(() -> {
            while (sampling) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                sampleThreads();
            }
        }, "duet-bench-profiler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /**
     * Starts the JFR recording that every profile of a run is cut from. Call it once, before
     * anything is measured: the first JFR recording of a JVM makes it throw away its compiled code
     * (HotSpot deoptimises everything when JFR starts late), and a job measured right after that
     * ran many times slower for 20 to 30 s while the JIT compiled it again.
     */
    static Recording startRecording() {
        Recording recording = new Recording();
        recording.setName("duet-bench-pipeline");
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(20));
        recording.enable("jdk.GarbageCollection");
        recording.setToDisk(true);
        recording.setMaxAge(Duration.ofMinutes(10));
        recording.start();
        return recording;
    }

    /** Starts profiling a phase; its JFR events are cut from {@code recording} ({@link #startRecording}). */
    static Profiler start(Recording recording) {
        return new Profiler(recording);
    }

    /**
     * The CPU time (user + system, clock ticks) of every thread of the process: the first value
     * seen and the latest. A thread that starts after the first sample counts from its start.
     */
    private synchronized void sampleThreads() {
        Path tasks = Path.of("/proc/self/task");
        boolean firstSample = !sampled;
        sampled = true;
        try (var dirs = Files.list(tasks)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String[] f = stat.substring(close + 2).split(" ");
                    // After the name: state is field 3 of stat(5); utime and stime are 14 and 15.
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    int tid = Integer.parseInt(dir.getFileName().toString());
                    long[] seen = threadCpu.computeIfAbsent(tid, id -> new long[] {firstSample ? ticks : 0, ticks});
                    seen[1] = ticks;
                    threadNames.put(tid, stat.substring(open + 1, close));
                } catch (IOException | RuntimeException gone) {
                    // The thread ended between listing and reading.
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: no per-thread figures.
        }
    }

    /** Stops and summarises the recording. */
    Profile stop() throws IOException, InterruptedException {
        sampling = false;
        sampler.interrupt();
        sampler.join(5000);
        sampleThreads();
        double seconds = (System.nanoTime() - wallStartNs) / 1e9;
        double processCores = (processCpuNs() - processCpuStartNs) / 1e9 / seconds;
        long[] machineEnd = machineJiffies();
        double machineCores = Double.NaN;
        if (machineStart != null && machineEnd != null && machineEnd[1] > machineStart[1]) {
            double busy = (double) (machineEnd[0] - machineStart[0]) / (machineEnd[1] - machineStart[1]);
            machineCores = busy * Runtime.getRuntime().availableProcessors();
        }
        Instant end = Instant.now();
        double jitMs = JitStats.compileMs() - jitStartMs;
        Path file = Files.createTempFile("duet-bench-", ".jfr");
        try {
            recording.dump(file);
            keepIfAsked(file);
            return summarise(file, begin, end, seconds, processCores, machineCores, jitMs);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * With DUET_BENCH_JFR_DIR set, the recording up to this window's end is also kept there (one
     * file per profiled window, its time in the name), for {@code jfr print} or JDK Mission Control.
     */
    private void keepIfAsked(Path file) throws IOException {
        String dir = System.getenv("DUET_BENCH_JFR_DIR");
        if (dir != null && !dir.isBlank()) {
            Path target = Path.of(dir).resolve("bench-" + begin.toString().replace(':', '-') + ".jfr");
            Files.createDirectories(target.getParent());
            Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Profile summarise(Path file, Instant from, Instant to, double seconds, double processCores, double machineCores,
            double jitMs) throws IOException {
        Map<String, Double> hot = new HashMap<>();
        Map<String, Double> hotProject = new HashMap<>();
        Map<String, Double> inclusiveProject = new HashMap<>();
        Map<String, Double> hotNative = new HashMap<>();
        Map<String, Double> sampledThreads = new HashMap<>();
        long samples = 0;
        long nativeSamples = 0;
        double gcPauseMs = 0;
        double gcLongestPauseMs = 0;
        int collections = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getStartTime().isBefore(from) || e.getStartTime().isAfter(to)) {
                continue;
            }
            String type = e.getEventType().getName();
            if (type.equals("jdk.GarbageCollection")) {
                collections++;
                gcPauseMs += e.getDuration("sumOfPauses").toNanos() / 1e6;
                gcLongestPauseMs = Math.max(gcLongestPauseMs, e.getDuration("longestPause").toNanos() / 1e6);
                continue;
            }
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            String top = frame(stack.getFrames().get(0));
            if (type.equals("jdk.ExecutionSample")) {
                samples++;
                hot.merge(top, 1.0, Double::sum);
                boolean topmost = true;
                Set<String> onStack = new HashSet<>();
                for (RecordedFrame f : stack.getFrames()) {
                    if (f.isJavaFrame() && f.getMethod().getType().getName().startsWith("dev.duet.")) {
                        String name = frame(f);
                        if (topmost) {
                            hotProject.merge(name, 1.0, Double::sum);
                            topmost = false;
                        }
                        if (onStack.add(name)) {
                            inclusiveProject.merge(name, 1.0, Double::sum);
                        }
                    }
                }
                RecordedThread t = e.getThread("sampledThread");
                sampledThreads.merge(threadGroup(t == null ? "?" : t.getJavaName()), 1.0, Double::sum);
            } else if (type.equals("jdk.NativeMethodSample") && !IDLE_NATIVE.matcher(top).matches()) {
                nativeSamples++;
                hotNative.merge(top, 1.0, Double::sum);
            }
        }
        Map<String, Double> cpuByGroup = new HashMap<>();
        Map<String, List<Double>> threadsByGroup = new HashMap<>();
        synchronized (this) {
            threadCpu.forEach((id, cpu) -> {
                double s = (cpu[1] - cpu[0]) / (double) TICKS_PER_SECOND;
                if (s > 0) {
                    String group = threadGroup(threadNames.get(id));
                    cpuByGroup.merge(group, s, Double::sum);
                    threadsByGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(s);
                }
            });
        }
        // The threads behind a name, each with its CPU seconds when there are few: native pools
        // (ONNX Runtime's) carry the name of the thread that created them, so a task's name with
        // more threads than subtasks shows the pool, and what it used.
        Map<String, Double> cpuByNamedGroup = new HashMap<>();
        cpuByGroup.forEach((group, s) -> {
            List<Double> each = threadsByGroup.get(group);
            each.sort(java.util.Comparator.reverseOrder());
            String detail = each.size() == 1 || each.size() > 4 ? "" : ": " + String.join(", ",
                    each.stream().map(v -> String.format(java.util.Locale.ROOT, "%.1f", v)).toList());
            cpuByNamedGroup.put(group + " (" + each.size() + detail + ")", s);
        });
        return new Profile(seconds, processCores, machineCores, samples, nativeSamples, top(hot, samples),
                top(hotProject, samples), top(inclusiveProject, samples, 2 * TOP), top(hotNative, nativeSamples), top(sampledThreads, samples),
                top(cpuByNamedGroup, cpuByGroup.values().stream().mapToDouble(Double::doubleValue).sum()), gcPauseMs,
                gcLongestPauseMs, collections, jitMs, JitStats.codeCacheUsedMb(), JitStats.codeCacheMaxMb());
    }

    private static String frame(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    /**
     * A thread's name without what differs between threads doing the same work: a Flink task's
     * subtask index, pool and worker numbers.
     */
    static String threadGroup(String name) {
        if (name == null) {
            return "?";
        }
        String n = TASK_SUFFIX.matcher(name).replaceAll("");
        return NUMBERS.matcher(n).replaceAll("N");
    }

    private static List<Profile.Entry> top(Map<String, Double> counts, double total) {
        return top(counts, total, TOP);
    }

    private static List<Profile.Entry> top(Map<String, Double> counts, double total, int limit) {
        List<Profile.Entry> list = new ArrayList<>();
        counts.forEach((k, v) -> list.add(new Profile.Entry(k, v, total > 0 ? v / total : 0)));
        list.sort((a, b) -> Double.compare(b.value(), a.value()));
        return List.copyOf(list.subList(0, Math.min(limit, list.size())));
    }

    private static long processCpuNs() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }

    /** {busy, total} jiffies of all CPUs from /proc/stat; null where there is none. */
    private static long[] machineJiffies() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            long total = 0;
            long idle = 0;
            for (int i = 1; i < f.length; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) {
                    idle += v; // idle and iowait
                }
            }
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
