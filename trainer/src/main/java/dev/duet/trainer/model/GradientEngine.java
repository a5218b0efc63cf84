package dev.duet.trainer.model;

import dev.duet.core.features.EncodedBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Computes a mini-batch's loss and gradients with a fixed pool of threads. Each thread takes one
 * contiguous block of the mini-batch and accumulates into its own dense-gradient buffer; the
 * buffers are then summed in thread order and the table-lookup gradients are scattered in sample
 * order, so that the result depends only on the data, the seed and the thread count.
 */
final class GradientEngine implements AutoCloseable {

    private final TrainableModel model;
    private final int threads;
    private final int capacity;
    private final float tableL2;
    private final float denseL2;
    private final ExecutorService pool;
    private final ModelWorker[] workers;
    private final float[][] denseGrads;
    private final float[] lookupGrad;
    private final int[] lookupRows;
    private final double[] blockLoss;

    /** Summed dense gradient of the last {@link #compute} call. */
    final float[] denseGrad;
    /** Table gradient [tableRows, tableWidth]; valid only on the rows in {@link #touched}. */
    final float[] tableGrad;
    /** Table rows with a gradient in the last call, in first-touch order. */
    int[] touched;
    /** How many entries of {@link #touched} are valid. */
    int touchedCount;

    private final boolean[] isTouched;

    GradientEngine(TrainableModel model, int threads, int capacity, float tableL2, float denseL2) {
        this.model = model;
        this.threads = threads;
        this.capacity = capacity;
        this.tableL2 = tableL2;
        this.denseL2 = denseL2;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads, daemonThreads()) : null;
        this.workers = new ModelWorker[threads];
        this.denseGrads = new float[threads][];
        int perThread = (capacity + threads - 1) / threads;
        for (int t = 0; t < threads; t++) {
            workers[t] = model.newWorker(perThread);
            denseGrads[t] = new float[model.layout().size()];
        }
        this.denseGrad = denseGrads[0];
        int lookups = model.lookupsPerSample();
        this.lookupGrad = new float[capacity * lookups * model.tableWidth()];
        this.lookupRows = new int[capacity * lookups];
        this.blockLoss = new double[threads];
        this.tableGrad = new float[model.tableRows() * model.tableWidth()];
        this.isTouched = new boolean[model.tableRows()];
        this.touched = new int[Math.min(model.tableRows(), capacity * lookups)];
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger counter = new AtomicInteger();
        return r -> {
            Thread thread = new Thread(r, "duet-trainer-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Loss and gradients of the mini-batch {@code index[start .. start + count]} (mean
     * cross-entropy plus L2 terms).
     */
    double compute(EncodedBatch src, int[] index, int start, int count) {
        if (count > capacity) {
            throw new IllegalArgumentException("mini-batch of " + count + " exceeds " + capacity);
        }
        float scale = 1f / count;
        runBlocks(count, (t, from, to) -> {
            java.util.Arrays.fill(denseGrads[t], 0f);
            blockLoss[t] = workers[t].forwardBackward(
                    src, index, start + from, to - from, from, scale, tableL2, denseGrads[t],
                    lookupGrad, lookupRows);
        });
        double loss = 0;
        for (int t = 0; t < threads; t++) {
            loss += blockLoss[t];
        }
        for (int t = 1; t < threads; t++) {
            float[] g = denseGrads[t];
            for (int j = 0; j < g.length; j++) {
                denseGrad[j] += g[j];
            }
        }
        loss += addDenseL2();
        scatterLookups(count);
        return loss;
    }

    private double addDenseL2() {
        if (denseL2 == 0f) {
            return 0;
        }
        float[] w = model.dense();
        double penalty = 0;
        for (ParameterGroup group : model.layout().groups()) {
            if (!group.regularised()) {
                continue;
            }
            for (int j = group.offset(); j < group.end(); j++) {
                penalty += (double) w[j] * w[j];
                denseGrad[j] += denseL2 * w[j];
            }
        }
        return 0.5 * denseL2 * penalty;
    }

    private void scatterLookups(int count) {
        for (int i = 0; i < touchedCount; i++) {
            isTouched[touched[i]] = false;
        }
        touchedCount = 0;
        int width = model.tableWidth();
        int lookups = count * model.lookupsPerSample();
        for (int s = 0; s < lookups; s++) {
            int row = lookupRows[s];
            if (row < 0) {
                continue;
            }
            int dst = row * width;
            int src = s * width;
            if (!isTouched[row]) {
                isTouched[row] = true;
                touched[touchedCount++] = row;
                System.arraycopy(lookupGrad, src, tableGrad, dst, width);
            } else {
                for (int j = 0; j < width; j++) {
                    tableGrad[dst + j] += lookupGrad[src + j];
                }
            }
        }
    }

    /** Probabilities of all rows of {@code batch}, computed block by block on the pool. */
    float[] predict(EncodedBatch batch) {
        int n = batch.size();
        float[] out = new float[n];
        int block = (capacity + threads - 1) / threads;
        runBlocks(n, (t, from, to) -> {
            for (int s = from; s < to; s += block) {
                int c = Math.min(block, to - s);
                workers[t].predict(batch, s, c, out, s);
            }
        });
        return out;
    }

    @FunctionalInterface
    private interface Block {
        void run(int thread, int from, int to);
    }

    /** Splits {@code [0, n)} into one contiguous block per thread and runs them. */
    private void runBlocks(int n, Block block) {
        if (pool == null) {
            block.run(0, 0, n);
            return;
        }
        List<Callable<Void>> tasks = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            int from = (int) ((long) n * t / threads);
            int to = (int) ((long) n * (t + 1) / threads);
            tasks.add(() -> {
                block.run(thread, from, to);
                return null;
            });
        }
        try {
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("training interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(cause);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
