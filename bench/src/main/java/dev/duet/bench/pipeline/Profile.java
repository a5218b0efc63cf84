package dev.duet.bench.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a phase's profile found ({@link Profiler}).
 *
 * @param seconds length of the profiled window
 * @param processCores CPU used by this JVM, in cores (CPU seconds per second)
 * @param machineCores CPU used by the whole machine, in cores; more than {@code processCores} means
 *     other processes competed
 * @param executionSamples JFR execution samples (threads in Java code)
 * @param nativeSamples JFR native method samples outside I/O waits
 * @param hotMethods top frames of the execution samples
 * @param hotProjectMethods the topmost {@code dev.duet} frame of each execution sample
 * @param inclusiveProjectMethods every {@code dev.duet} method on a sample's stack, counted once per
 *     sample: the share of the samples spent in it and what it called
 * @param hotNativeMethods top frames of native samples (ONNX Runtime, RocksDB, ...)
 * @param sampledThreads execution samples per thread group
 * @param threadCpu CPU seconds per thread group from /proc (Java and native threads; the kernel keeps 15
 *     characters of a name)
 * @param gcPauseMs garbage-collection pauses, summed
 * @param gcLongestPauseMs the longest single garbage-collection pause (it stops every thread of the
 *     JVM: in the benchmark the broker, the worker and the job alike)
 * @param collections garbage collections
 * @param jitCompileMs time the JIT compilers spent compiling during the window (all threads)
 * @param codeCacheUsedMb code cache in use at the end of the window, MB
 * @param codeCacheMaxMb the code cache's size limit, MB
 */
record Profile(
        double seconds,
        double processCores,
        double machineCores,
        long executionSamples,
        long nativeSamples,
        List<Entry> hotMethods,
        List<Entry> hotProjectMethods,
        List<Entry> inclusiveProjectMethods,
        List<Entry> hotNativeMethods,
        List<Entry> sampledThreads,
        List<Entry> threadCpu,
        double gcPauseMs,
        double gcLongestPauseMs,
        int collections,
        double jitCompileMs,
        double codeCacheUsedMb,
        double codeCacheMaxMb) {

    /** A name with its count (or CPU seconds) and share of the total. */
    record Entry(String name, double value, double share) {}

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", seconds);
        m.put("process_cpu_cores", processCores);
        m.put("machine_cpu_cores", Double.isNaN(machineCores) ? null : machineCores);
        m.put("execution_samples", executionSamples);
        m.put("native_samples", nativeSamples);
        m.put("gc_pause_ms", gcPauseMs);
        m.put("gc_longest_pause_ms", gcLongestPauseMs);
        m.put("gc_collections", collections);
        m.put("jit_compile_ms", jitCompileMs);
        m.put("code_cache_used_mb", codeCacheUsedMb);
        m.put("code_cache_max_mb", codeCacheMaxMb);
        m.put("thread_cpu_seconds", entries(threadCpu));
        m.put("hot_methods", entries(hotMethods));
        m.put("hot_project_methods", entries(hotProjectMethods));
        m.put("inclusive_project_methods", entries(inclusiveProjectMethods));
        m.put("hot_native_methods", entries(hotNativeMethods));
        m.put("samples_per_thread", entries(sampledThreads));
        return m;
    }

    private static List<Map<String, Object>> entries(List<Entry> list) {
        return list.stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("value", e.value());
            m.put("share", e.share());
            return m;
        }).toList();
    }
}
