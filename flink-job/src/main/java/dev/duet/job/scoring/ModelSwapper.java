package dev.duet.job.scoring;

import java.io.Serializable;
import java.util.Locale;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * Hot swap of a model without stalling the task thread: the model a task thread uses is replaced by
 * one opened on a background loader thread, and installed only where the task thread says no batch
 * is using the old one ({@link #swapIfReady()}, called at the start of each batch). Used by both the
 * CRM scorer and candidate retrieval.
 *
 * <p>What the task thread calls: {@link #request} when the control topic names a path (opened in the
 * background; until it is ready the current model keeps serving), {@link #follow} with the path a
 * task carries (a path already in force when this subtask started, restored from a checkpoint, is
 * opened at once, as the configured model is; any later change is a {@link #request}), {@link
 * #swapIfReady} and {@link #model} at a safe point. A later request supersedes one still loading or
 * waiting to be retried: the superseded model is closed unused, and the latest path wins.
 *
 * <p>A path that does not load is counted ({@link #failures}), logged at ERROR with the path and
 * the reason (once per reason) and tried again after {@link Backoff#firstDelayMs}, the delay
 * doubling up to {@link Backoff#maxDelayMs}, until it loads or another path is requested. A swap is
 * logged at INFO with the old and the new version and their hashes. Models are closed on the task
 * thread when replaced (never while a batch uses them) or on the loader thread when superseded
 * before they were installed; sessions are reference counted per JVM ({@code SharedSessions}), so a
 * close releases this user's lease only.
 *
 * <p>Threads: one daemon loader thread per instance (an operator subtask), idle between swaps. Not
 * thread-safe apart from what is said above: the task thread alone calls every public method except
 * the metric reads ({@link #failures}, {@link #swaps}, {@link #versionHash}), which any thread may.
 *
 * @param <M> the model; {@code null} stands for "no model" where the loader returns it (candidate
 *     retrieval without a sequence model: popularity)
 */
public final class ModelSwapper<M extends AutoCloseable> implements AutoCloseable {

    /** Opens a model; runs on the loader thread (or the task thread for the paths opened at once). */
    @FunctionalInterface
    public interface Loader<M> {
        M load(String path) throws Exception;
    }

    /** Delays between attempts at a path that failed: {@code first}, doubling up to {@code max}. */
    public record Backoff(long firstDelayMs, long maxDelayMs) implements Serializable {
        public static final Backoff DEFAULT = new Backoff(1000, 60_000);

        public Backoff {
            if (firstDelayMs < 1 || maxDelayMs < firstDelayMs) {
                throw new IllegalArgumentException("retry delays need 1 <= first <= max, got " + firstDelayMs + " and " + maxDelayMs);
            }
        }

        /** The delay after the {@code failedAttempts}-th failure in a row (1-based). */
        public long delayAfter(int failedAttempts) {
            long delay = firstDelayMs;
            for (int i = 1; i < failedAttempts && delay < maxDelayMs; i++) {
                delay *= 2;
            }
            return Math.min(maxDelayMs, delay);
        }
    }

    /** A model opened for {@code generation}'s request, waiting for the task thread. */
    private record Loaded<M>(long generation, String path, M model, int attempt, long loadMs) {}

    private final String kind;
    private final String verb;
    private final Loader<M> loader;
    private final Function<M, String> version;
    private final Backoff backoff;
    private final Logger log;
    private final int subtask;
    private final ScheduledThreadPoolExecutor loaderThread;

    /** Bumped by every request: loads and retries of an older generation are superseded. */
    private final AtomicLong generation = new AtomicLong();
    private final AtomicReference<Loaded<M>> ready = new AtomicReference<>();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong swaps = new AtomicLong();
    /** Failed attempts at the current generation's path (loader thread writes, task thread reads). */
    private volatile int failedAttempts;
    private volatile String lastReason;
    private boolean closed;

    // The task thread's view; volatile where the loader thread's log lines or the metrics read them.
    private M current;
    private volatile String currentPath;
    private volatile String currentVersion;
    private volatile long currentVersionHash;
    private volatile String wantedPath;
    /** The path tasks named last: a change is a request, a repeat (or a stale stamp) is not. */
    private String lastFollowed;
    private boolean servedYet;

    /**
     * Opens {@code initialPath} on the calling thread (a model that does not load stops the start,
     * as it should: there is nothing to keep serving with) and starts the loader thread.
     *
     * @param kind what is swapped, as log lines name it ("model", "sequence model")
     * @param verb what the model does, as log lines say it ("scoring", "retrieving")
     * @param version the version a model reports (outputs name it); never called with null
     */
    public ModelSwapper(String kind, String verb, Loader<M> loader, Function<M, String> version, Backoff backoff, Logger log,
            int subtask, String initialPath) throws Exception {
        this.kind = kind;
        this.verb = verb;
        this.loader = loader;
        this.version = version;
        this.backoff = backoff;
        this.log = log;
        this.subtask = subtask;
        install(initialPath, loader.load(initialPath));
        wantedPath = initialPath;
        lastFollowed = initialPath;
        loaderThread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "duet-" + kind.replace(' ', '-') + "-loader-" + subtask);
            t.setDaemon(true);
            return t;
        });
        loaderThread.setRemoveOnCancelPolicy(true);
        loaderThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * The control topic names {@code path}: open it in the background, superseding any load still
     * under way. The same path again while it is failing is tried again at once (someone fixed the
     * file and sent the command again); while it is loading, nothing changes.
     */
    public void request(String path) {
        servedYet = true;
        want(path, true);
    }

    private void want(String path, boolean retryNowIfFailing) {
        if (path.equals(wantedPath) && (path.equals(currentPath) || failedAttempts == 0 || !retryNowIfFailing)) {
            return;
        }
        wantedPath = path;
        long gen = generation.incrementAndGet();
        failedAttempts = 0;
        lastReason = null;
        discard(ready.getAndSet(null));
        if (!path.equals(currentPath)) {
            loaderThread.execute(() -> attempt(path, gen, 1));
        }
    }

    /**
     * A task names {@code path} as the one it should be served by. The first path named after this
     * subtask started, when it is not the initial one, was in force before the start (restored from
     * a checkpoint): it is opened at once, so that the restored job serves with it from its first
     * batch, as it did before the restart; if it does not load, it is retried in the background. A
     * later change of the path tasks name is wanted too, in the background (normally the control
     * record's own {@link #request} came first, and this changes nothing); a task naming the same
     * path as the one before it changes nothing, so a stale stamp cannot undo a request.
     */
    public void follow(String path) {
        boolean restored = !servedYet;
        servedYet = true;
        if (path.equals(lastFollowed)) {
            return;
        }
        lastFollowed = path;
        if (!restored) {
            want(path, false);
            return;
        }
        wantedPath = path;
        long gen = generation.incrementAndGet();
        long start = System.nanoTime();
        try {
            M model = loader.load(path);
            String previous = currentPath;
            M old = current;
            install(path, model);
            swaps.incrementAndGet();
            log.info("{} restored in subtask {}: {} with {} (version {}, versionHash {}) from the first batch, as before the restart;"
                            + " opened in {} ms, the configured one was {}", capitalized(kind), subtask, verb, path, currentVersion,
                    currentVersionHash, (System.nanoTime() - start) / 1_000_000, previous);
            closeQuietly(old);
        } catch (Exception e) {
            failed(path, gen, 1, e);
        }
    }

    /**
     * Installs a model that finished loading, closing the one it replaces; call only where no batch
     * is using the current model (the start of a batch).
     *
     * @return whether the model changed
     */
    public boolean swapIfReady() {
        Loaded<M> loaded = ready.getAndSet(null);
        if (loaded == null) {
            return false;
        }
        if (loaded.generation() != generation.get()) {
            discard(loaded);
            return false;
        }
        String previousPath = currentPath;
        String previousVersion = currentVersion;
        long previousHash = currentVersionHash;
        M old = current;
        install(loaded.path(), loaded.model());
        swaps.incrementAndGet();
        log.info("{} swapped in subtask {}: now {} with {} (version {}, versionHash {}), was {} (version {}, versionHash {});"
                        + " opened off the task thread in {} ms{}", capitalized(kind), subtask, verb, currentPath, currentVersion,
                currentVersionHash, previousPath, previousVersion, previousHash, loaded.loadMs(),
                loaded.attempt() == 1 ? "" : " at attempt " + loaded.attempt());
        closeQuietly(old);
        return true;
    }

    /** The model in use (null: none, where the loader allows it). */
    public M model() {
        return current;
    }

    public String currentPath() {
        return currentPath;
    }

    /** The version in use ("none" for no model). */
    public String currentVersion() {
        return currentVersion;
    }

    /** The version in use as a number, for metric reporters that export numbers only. */
    public long versionHash() {
        return currentVersionHash;
    }

    /** Failed load attempts so far (every retry counts). */
    public long failures() {
        return failures.get();
    }

    /** Models installed after the initial one. */
    public long swaps() {
        return swaps.get();
    }

    /** Whether a requested model has loaded and waits for the next {@link #swapIfReady}. */
    public boolean readyToSwap() {
        return ready.get() != null;
    }

    /** Whether a requested path is still loading or waiting for a retry. */
    public boolean pending() {
        return !wantedPath.equals(currentPath);
    }

    /** The model version as a number: its String hash as an unsigned 32-bit value; 0 for none. */
    public static long versionHash(String version) {
        return version == null || "none".equals(version) ? 0 : Integer.toUnsignedLong(version.hashCode());
    }

    private void install(String path, M model) {
        current = model;
        currentPath = path;
        currentVersion = model == null ? "none" : version.apply(model);
        currentVersionHash = versionHash(currentVersion);
    }

    /** One load attempt on the loader thread. */
    private void attempt(String path, long gen, int attempt) {
        if (gen != generation.get()) {
            return; // superseded while waiting
        }
        long start = System.nanoTime();
        M model;
        try {
            model = loader.load(path);
        } catch (Exception e) {
            failed(path, gen, attempt, e);
            return;
        }
        Loaded<M> loaded = new Loaded<>(gen, path, model, attempt, (System.nanoTime() - start) / 1_000_000);
        synchronized (this) {
            if (!closed && gen == generation.get()) {
                discard(ready.getAndSet(loaded));
                return;
            }
        }
        log.info("{} {} loaded in subtask {} but superseded before use; closed", capitalized(kind), path, subtask);
        discard(loaded);
    }

    private void failed(String path, long gen, int attempt, Exception e) {
        failures.incrementAndGet();
        if (gen != generation.get()) {
            // Superseded while loading: the later request has its own attempts; this one stops.
            log.error("Cannot load the {} {} named on the control topic (subtask {}): {}; not tried again, a later command"
                    + " superseded it", kind, path, subtask, rootMessage(e));
            return;
        }
        failedAttempts = attempt;
        long delay = backoff.delayAfter(attempt);
        String reason = rootMessage(e);
        if (!reason.equals(lastReason)) {
            log.error("Cannot load the {} {} named on the control topic (subtask {}): {}; still {} with {} (version {}),"
                            + " trying again in {} ms and then less often, up to every {} s", kind, path, subtask, reason, verb,
                    currentPath.isEmpty() ? "none" : currentPath, currentVersion, delay, backoff.maxDelayMs() / 1000.0);
        }
        lastReason = reason;
        synchronized (this) {
            if (!closed) {
                loaderThread.schedule(() -> attempt(path, gen, attempt + 1), delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void discard(Loaded<M> loaded) {
        if (loaded != null) {
            closeQuietly(loaded.model());
        }
    }

    private void closeQuietly(M model) {
        if (model == null) {
            return;
        }
        try {
            model.close();
        } catch (Exception e) {
            log.warn("Closing the replaced {} failed: {}", kind, e.toString());
        }
    }

    private static String capitalized(String s) {
        return s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    /** The innermost cause's message: what is wrong with the file, not the wrapper's. */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage().replace('\n', ' ');
    }

    /**
     * Stops the loader thread (waiting a little for a load under way, which cannot be interrupted)
     * and closes the current model and any loaded one never installed.
     */
    @Override
    public void close() throws Exception {
        synchronized (this) {
            closed = true;
        }
        loaderThread.shutdownNow();
        if (!loaderThread.awaitTermination(10, TimeUnit.SECONDS)) {
            log.warn("The {} loader of subtask {} is still opening a model; it will close it when done", kind, subtask);
        }
        discard(ready.getAndSet(null));
        closeQuietly(current);
        current = null;
    }
}
