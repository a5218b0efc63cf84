package dev.duet.core.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One ONNX Runtime session per model file per JVM, shared by every user in the process (Flink
 * subtasks in one TaskManager, worker threads): a session holds the weights and its thread pools,
 * and creating one per subtask would multiply both.
 *
 * <p>Sessions are reference counted: {@link #acquire} returns a lease, and the session closes when
 * its last lease closes. {@link OrtSession#run} is thread-safe, so leases may be used concurrently.
 */
public final class SharedSessions {

    private static final Map<Key, Entry> SESSIONS = new HashMap<>();

    private SharedSessions() {}

    /** Execution device for a session. */
    public enum Device {
        CPU,
        CUDA
    }

    /**
     * Leases the session of {@code modelFile} on {@code device}, creating it on first use.
     *
     * @param intraOpThreads threads per operator (0 lets ONNX Runtime choose)
     */
    public static Lease acquire(Path modelFile, Device device, int intraOpThreads)
            throws OrtException {
        Path normalized = modelFile.toAbsolutePath().normalize();
        if (!Files.isRegularFile(normalized)) {
            throw new IllegalArgumentException("Model file not found: " + normalized);
        }
        Key key = new Key(normalized, device, intraOpThreads);
        synchronized (SESSIONS) {
            Entry entry = SESSIONS.get(key);
            if (entry == null) {
                entry = new Entry(create(normalized, device, intraOpThreads));
                SESSIONS.put(key, entry);
            }
            entry.references++;
            return new Lease(key, entry.session);
        }
    }

    /** Leases a CPU session with ONNX Runtime's default threading. */
    public static Lease acquire(Path modelFile) throws OrtException {
        return acquire(modelFile, Device.CPU, 0);
    }

    /** How many distinct sessions are open now (for tests and metrics). */
    public static int openSessions() {
        synchronized (SESSIONS) {
            return SESSIONS.size();
        }
    }

    /**
     * ONNX Runtime's process-wide environment, created on a thread with a 64 MB stack. Creating
     * it runs a recursive std::regex match whose depth grows with the JVM's command line: on a
     * Flink TaskManager (a long class path and many -D options) it overflowed the task thread's
     * 1 MB stack and the JVM died with SIGSEGV, without an error file (StandaloneClusterITCase).
     * Once created, every thread uses the same environment.
     */
    public static OrtEnvironment environment() {
        synchronized (SESSIONS) {
            OrtEnvironment[] created = new OrtEnvironment[1];
            Throwable[] failed = new Throwable[1];
            Thread init = new Thread(null, () -> {
                try {
                    created[0] = OrtEnvironment.getEnvironment();
                } catch (Throwable e) {
                    failed[0] = e;
                }
            }, "onnxruntime-environment", 64L << 20);
            init.start();
            try {
                init.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating ONNX Runtime's environment", e);
            }
            if (failed[0] instanceof RuntimeException e) {
                throw e;
            } else if (failed[0] instanceof Error e) {
                throw e;
            } else if (failed[0] != null) {
                throw new IllegalStateException("ONNX Runtime's environment: " + failed[0], failed[0]);
            }
            return created[0];
        }
    }

    private static OrtSession create(Path model, Device device, int intraOpThreads)
            throws OrtException {
        OrtEnvironment env = environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            if (device == Device.CUDA) {
                try {
                    options.addCUDA(0);
                } catch (OrtException | RuntimeException e) {
                    throw new IllegalStateException(
                            "CUDA was requested but is not available: "
                                    + e.getMessage()
                                    + ". Build with the 'cuda' Maven profile (onnxruntime_gpu) on a"
                                    + " machine with an NVIDIA GPU, CUDA 12 and cuDNN 9, or use the"
                                    + " CPU device.",
                            e);
                }
            }
            return env.createSession(model.toString(), options);
        }
    }

    private record Key(Path model, Device device, int intraOpThreads) {}

    private static final class Entry {
        final OrtSession session;
        int references;

        Entry(OrtSession session) {
            this.session = session;
        }
    }

    /** A reference to a shared session; closing it releases the reference, not the session. */
    public static final class Lease implements AutoCloseable {
        private final Key key;
        private final OrtSession session;
        private boolean closed;

        private Lease(Key key, OrtSession session) {
            this.key = key;
            this.session = session;
        }

        public OrtSession session() {
            if (closed) {
                throw new IllegalStateException("Session lease already closed");
            }
            return session;
        }

        @Override
        public void close() throws OrtException {
            synchronized (SESSIONS) {
                if (closed) {
                    return;
                }
                closed = true;
                Entry entry = SESSIONS.get(key);
                if (entry != null && --entry.references == 0) {
                    SESSIONS.remove(key);
                    entry.session.close();
                }
            }
        }
    }
}
