package dev.duet.worker.internal;

import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Timings;
import dev.duet.worker.ScoringBackend;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups queued requests into batches of up to {@code maxBatch}, waiting at most {@code maxWait}
 * after the first request of a batch arrived, and scores each batch with one backend call.
 *
 * <p>The queue is bounded by permits taken all-or-nothing per RPC, so an overloaded worker refuses
 * at once (RESOURCE_EXHAUSTED) instead of building latency. A request whose deadline passed, or
 * whose caller went away, is dropped when its batch forms, before it costs compute.
 */
public final class DynamicBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);

    /** Receives the outcome of one request, on the batching thread. */
    public interface Callback {
        void onScores(float[] scores, Timings timings);

        void onError(Status status);
    }

    /** One queued request with its arrival time, deadline (nanoTime) and outcome callback. */
    public record Pending(
            ScoreRequest request,
            long arrivalNanos,
            long deadlineNanos,
            BooleanSupplier cancelled,
            Callback callback) {}

    private final ScoringBackend backend;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final int capacity;
    private final WorkerMetrics metrics;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Semaphore permits;
    private final ReentrantReadWriteLock acceptLock = new ReentrantReadWriteLock();
    private final Thread thread;
    private volatile boolean accepting = true;

    public DynamicBatcher(ScoringBackend backend, int maxBatch, Duration maxWait, int capacity,
            WorkerMetrics metrics) {
        this.backend = backend;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.capacity = capacity;
        this.metrics = metrics;
        this.permits = new Semaphore(capacity);
        metrics.queue(this::depth, capacity);
        this.thread = new Thread(this::run, "duet-batcher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Requests waiting for a batch. */
    public int depth() {
        return capacity - permits.availablePermits();
    }

    /**
     * Queues all of {@code items} or none. Returns {@link Status#OK} when queued, else the status
     * to fail them with (RESOURCE_EXHAUSTED when full, UNAVAILABLE when shutting down).
     */
    public Status offer(List<Pending> items) {
        acceptLock.readLock().lock();
        try {
            if (!accepting) {
                return Status.UNAVAILABLE.withDescription("worker is shutting down");
            }
            if (!permits.tryAcquire(items.size())) {
                return Status.RESOURCE_EXHAUSTED.withDescription("queue full ("
                        + capacity + " requests waiting); retry later or add replicas");
            }
            queue.addAll(items);
            return Status.OK;
        } finally {
            acceptLock.readLock().unlock();
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (true) {
            try {
                Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (!accepting && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                long until = first.arrivalNanos() + maxWaitNanos;
                while (batch.size() < maxBatch) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        // The first request waited long enough (often behind the previous
                        // batch): take what is already queued, do not wait for more.
                        queue.drainTo(batch, maxBatch - batch.size());
                        break;
                    }
                    Pending next = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                permits.release(batch.size());
                score(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Batching loop failed; failing the batch", e);
                fail(batch, Status.INTERNAL.withDescription("worker error: " + e));
            } finally {
                batch.clear();
            }
        }
    }

    private void score(List<Pending> batch) {
        long start = System.nanoTime();
        List<Pending> live = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (p.cancelled().getAsBoolean()) {
                p.callback().onError(Status.CANCELLED.withDescription("caller cancelled"));
            } else if (start >= p.deadlineNanos()) {
                p.callback().onError(Status.DEADLINE_EXCEEDED.withDescription("request '"
                        + p.request().getRequestId() + "': deadline passed after "
                        + (start - p.arrivalNanos()) / 1_000_000 + " ms in the queue; dropped"
                        + " before compute"));
            } else {
                live.add(p);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        List<ScoreRequest> requests = new ArrayList<>(live.size());
        for (Pending p : live) {
            requests.add(p.request());
            metrics.queued((start - p.arrivalNanos()) / 1e9);
        }
        List<float[]> scores;
        try {
            scores = backend.scoreBatch(requests);
            if (scores.size() != requests.size()) {
                throw new IllegalStateException("backend returned " + scores.size()
                        + " replies for " + requests.size() + " requests");
            }
        } catch (Exception e) {
            LOG.error("Backend {} failed on a batch of {}", backend.modelName(), live.size(), e);
            fail(live, Status.INTERNAL.withDescription(
                    "backend " + backend.modelName() + " failed: " + e.getMessage()));
            return;
        }
        long end = System.nanoTime();
        metrics.batch(live.size(), (end - start) / 1e9);
        for (int i = 0; i < live.size(); i++) {
            Pending p = live.get(i);
            Timings timings = Timings.newBuilder()
                    .setQueueUs((start - p.arrivalNanos()) / 1000)
                    .setComputeUs((end - start) / 1000)
                    .setTotalUs((System.nanoTime() - p.arrivalNanos()) / 1000)
                    .setBatchSize(live.size())
                    .build();
            p.callback().onScores(scores.get(i), timings);
        }
    }

    private static void fail(List<Pending> batch, Status status) {
        for (Pending p : batch) {
            p.callback().onError(status);
        }
    }

    /**
     * Stops accepting, scores everything already queued and waits up to {@code grace} for it.
     * Returns whether the queue drained in time; what is left then fails with UNAVAILABLE.
     */
    public boolean drain(Duration grace) throws InterruptedException {
        acceptLock.writeLock().lock();
        try {
            accepting = false;
        } finally {
            acceptLock.writeLock().unlock();
        }
        thread.join(Math.max(1, grace.toMillis()));
        if (thread.isAlive()) {
            thread.interrupt();
            List<Pending> left = new ArrayList<>();
            queue.drainTo(left);
            fail(left, Status.UNAVAILABLE.withDescription("worker shut down before scoring"));
            // Wait for the batch in flight to leave the model: an interrupt cannot stop a native
            // ONNX Runtime call, and closing the backend's session under it crashes the process
            // (a SIGSEGV in libonnxruntime was seen when a slow batch outlived the grace period).
            thread.join();
            return false;
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        drain(Duration.ZERO);
    }
}
