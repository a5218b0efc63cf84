package dev.duet.bench.pipeline;

/**
 * The inputs of one phase as the broker acknowledged them: per interaction partition the append
 * time of every offset, and per request (by index) its append time. Written by the producer's
 * callbacks (one I/O thread), read once the phase's writer has finished.
 */
final class InputLog {

    static final long MISSING = Long.MIN_VALUE;

    private final LongList[] interactions;
    private final LongList requests = new LongList();
    private long interactionCount;
    private long requestCount;

    InputLog(int partitions) {
        interactions = new LongList[partitions];
        for (int p = 0; p < partitions; p++) {
            interactions[p] = new LongList();
        }
    }

    synchronized void interaction(int partition, long offset, long appendMs) {
        interactions[partition].set(Math.toIntExact(offset), appendMs, MISSING);
        interactionCount++;
    }

    synchronized void request(long index, long appendMs) {
        requests.set(Math.toIntExact(index), appendMs, MISSING);
        requestCount++;
    }

    synchronized long interactionCount() {
        return interactionCount;
    }

    synchronized long requestCount() {
        return requestCount;
    }

    synchronized long total() {
        return interactionCount + requestCount;
    }

    int partitions() {
        return interactions.length;
    }

    /** Offsets written to an interaction partition (offsets start at 0 in a fresh topic). */
    synchronized int interactionSlots(int partition) {
        return interactions[partition].size();
    }

    synchronized int requestSlots() {
        return requests.size();
    }

    /** The append time of an input, or {@link #MISSING} when no such input was written. */
    synchronized long appendTime(OutputKey key) {
        if (key.request()) {
            return key.index() < requests.size() ? requests.get((int) key.index()) : MISSING;
        }
        LongList partition = key.partition() < interactions.length ? interactions[key.partition()] : null;
        return partition != null && key.index() < partition.size() ? partition.get((int) key.index()) : MISSING;
    }
}
