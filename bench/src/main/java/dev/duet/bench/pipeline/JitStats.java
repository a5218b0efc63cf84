package dev.duet.bench.pipeline;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * What the JIT compilers are doing: a measured window in which they still compile a lot measures
 * the compilers as much as the job (a TaskManager that runs for hours has long finished).
 */
final class JitStats {

    private JitStats() {}

    /** Total time the JIT compilers have spent compiling in this JVM, ms (0 when not available). */
    static long compileMs() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    static double codeCacheUsedMb() {
        return codeCache(false);
    }

    static double codeCacheMaxMb() {
        return codeCache(true);
    }

    private static double codeCache(boolean max) {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.NON_HEAP && pool.getName().startsWith("CodeHeap")) {
                bytes += max ? Math.max(0, pool.getUsage().getMax()) : pool.getUsage().getUsed();
            }
        }
        return bytes / 1e6;
    }
}
