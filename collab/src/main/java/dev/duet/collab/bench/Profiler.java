package dev.duet.collab.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Profiles one measured phase in this JVM (broker, job, worker and benchmark clients all run
 * here): a JFR recording of execution samples (threads running Java code, every 10 ms), native
 * method samples (threads inside native code such as ONNX Runtime or RocksDB, every 20 ms) and
 * garbage collections; and, sampled every second, the CPU time of every thread (ThreadMXBean, so
 * native work counts too), the process's CPU time and the whole machine's ({@code /proc/stat}),
 * which shows when something outside this JVM competed for the cores.
 */
final class Profiler {

    private static final int TOP = 12;
    /** Native frames where a thread waits for I/O rather than works; left out of the native table. */
    private static final Pattern IDLE_NATIVE =
            Pattern.compile(".*(EPoll\\.wait|epollWait|Net\\.poll|Net\\.accept|SocketDispatcher\\.read0|kevent|Thread\\.sleep).*");
    private static final Pattern TASK_SUFFIX = Pattern.compile("\\s*\\(\\d+/\\d+\\)(#\\d+)?$");
    private static final Pattern NUMBERS = Pattern.compile("\\d+");

    private final Recording recording;
    private final long wallStartNs = System.nanoTime();
    private final long processCpuStartNs = processCpuNs();
    private final long[] machineStart = machineJiffies();
    private final Map<Long, long[]> threadCpu = new HashMap<>();
    private final Map<Long, String> threadNames = new HashMap<>();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Thread sampler;
    private volatile boolean sampling = true;

    private Profiler(String name) {
        recording = new Recording();
        recording.setName(name);
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(20));
        recording.enable("jdk.GarbageCollection");
        recording.setToDisk(true);
        recording.start();
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

    static Profiler start(String name) {
        return new Profiler(name);
    }

    /** The CPU time of every live thread: the first value seen and the latest. */
    private synchronized void sampleThreads() {
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = threads.getThreadCpuTime(ids[i]);
            if (cpu < 0 || infos[i] == null) {
                continue;
            }
            long[] seen = threadCpu.computeIfAbsent(ids[i], id -> new long[] {cpu, cpu});
            seen[1] = cpu;
            threadNames.put(ids[i], infos[i].getThreadName());
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
        recording.stop();
        Path file = Files.createTempFile("duet-bench-", ".jfr");
        try {
            recording.dump(file);
            recording.close();
            return summarise(file, seconds, processCores, machineCores);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private Profile summarise(Path file, double seconds, double processCores, double machineCores) throws IOException {
        Map<String, Double> hot = new HashMap<>();
        Map<String, Double> hotProject = new HashMap<>();
        Map<String, Double> hotNative = new HashMap<>();
        Map<String, Double> sampledThreads = new HashMap<>();
        long samples = 0;
        long nativeSamples = 0;
        double gcPauseMs = 0;
        int collections = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.GarbageCollection")) {
                collections++;
                gcPauseMs += e.getDuration("sumOfPauses").toNanos() / 1e6;
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
                for (RecordedFrame f : stack.getFrames()) {
                    if (f.isJavaFrame() && f.getMethod().getType().getName().startsWith("dev.duet.")) {
                        hotProject.merge(frame(f), 1.0, Double::sum);
                        break;
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
        synchronized (this) {
            threadCpu.forEach((id, cpu) -> {
                double s = (cpu[1] - cpu[0]) / 1e9;
                if (s > 0) {
                    cpuByGroup.merge(threadGroup(threadNames.get(id)), s, Double::sum);
                }
            });
        }
        return new Profile(seconds, processCores, machineCores, samples, nativeSamples, top(hot, samples),
                top(hotProject, samples), top(hotNative, nativeSamples), top(sampledThreads, samples),
                top(cpuByGroup, cpuByGroup.values().stream().mapToDouble(Double::doubleValue).sum()), gcPauseMs, collections);
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
        List<Profile.Entry> list = new ArrayList<>();
        counts.forEach((k, v) -> list.add(new Profile.Entry(k, v, total > 0 ? v / total : 0)));
        list.sort((a, b) -> Double.compare(b.value(), a.value()));
        return List.copyOf(list.subList(0, Math.min(TOP, list.size())));
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
