package dev.duet.job.operators;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Recently used keys' state objects (one value state per key) on the heap, per subtask, in front of
 * the keyed state: the users' histories ({@link UserHistory}) and the items' popularity ({@link
 * ItemPopularity}).
 *
 * <p>With RocksDB every event of a user cost a JNI get (and deserialising 50 history ids) and a JNI
 * put of about 1 KB (docs/benchmarks.md), every interaction another get and put of its item's
 * count, and the puts filled the memtable that each checkpoint then flushes on the task thread. In
 * <em>write-behind</em> use (the job's {@link UserHistoryOperator} and {@link
 * ItemPopularityOperator}) a write only
 * marks the entry dirty; dirty entries reach the state when they are evicted and all of them before
 * every checkpoint barrier ({@link #flushDirty}), so each checkpoint holds exactly what a write per
 * event would have left, and a failure restarts from that checkpoint as before (the writes since
 * were lost with the rest of the run and are replayed from Kafka). This is Flink SQL's mini-batch
 * idea applied to one value per key. In <em>write-through</em> use the caller writes the state
 * itself and {@link #putClean} only remembers the object.
 *
 * <p>It stays exact because this subtask is the only writer of its keys' state. An entry is not
 * returned once the state's time to live since its last write has passed (processing time,
 * refreshed on write, as Flink's TTL). The cache is not state: a restored or rescaled operator
 * starts with an empty one and reads through.
 */
final class KeyedStateCache<V> {

    /** Writes one key's value to the keyed state (under that key). */
    @FunctionalInterface
    interface Writer<V> {
        void write(String key, V value) throws Exception;
    }

    private final int capacity;
    private final long ttlMs;
    private final LongSupplier clock;
    private final LinkedHashMap<String, Entry<V>> entries;
    private long hits;
    private long misses;
    private long flushedWrites;

    private static final class Entry<V> {
        V value;
        long writtenAtMs;
        boolean dirty;
    }

    /**
     * @param capacity most keys kept; 0 disables the cache
     * @param ttlMs the state's time to live, 0 for none
     * @param clock processing time in milliseconds (the clock Flink's TTL reads)
     */
    KeyedStateCache(int capacity, long ttlMs, LongSupplier clock) {
        if (capacity < 0 || ttlMs < 0) {
            throw new IllegalArgumentException("cache capacity and time to live must not be negative");
        }
        this.capacity = capacity;
        this.ttlMs = ttlMs;
        this.clock = clock;
        // Access order: the least recently used key is evicted first.
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The key's cached value, or null when the cache does not hold it (read the state then). */
    V get(String key) {
        if (capacity == 0) {
            return null;
        }
        Entry<V> e = entries.get(key);
        if (e != null && ttlMs > 0 && clock.getAsLong() - e.writtenAtMs >= ttlMs) {
            // Not written for the time to live: expired, as the state's own copy is or will be.
            entries.remove(key);
            e = null;
        }
        if (e == null) {
            misses++;
            return null;
        }
        hits++;
        return e.value;
    }

    /** Records a write the caller already made to the state (write-through). */
    void putClean(String key, V value) throws Exception {
        put(key, value, false, null);
    }

    /**
     * Records a write that the state has not seen yet (write-behind); an evicted dirty entry is
     * written with {@code writer} first. With the cache disabled the state is written at once.
     */
    void putDirty(String key, V value, Writer<V> writer) throws Exception {
        if (capacity == 0) {
            writer.write(key, value);
            return;
        }
        put(key, value, true, writer);
    }

    private void put(String key, V value, boolean dirty, Writer<V> writer) throws Exception {
        if (capacity == 0) {
            return;
        }
        Entry<V> e = entries.get(key);
        if (e == null) {
            if (entries.size() >= capacity) {
                evictEldest(writer);
            }
            e = new Entry<>();
            entries.put(key, e);
        }
        e.value = value;
        e.writtenAtMs = clock.getAsLong();
        e.dirty = dirty;
    }

    private void evictEldest(Writer<V> writer) throws Exception {
        Iterator<Map.Entry<String, Entry<V>>> it = entries.entrySet().iterator();
        Map.Entry<String, Entry<V>> eldest = it.next();
        if (eldest.getValue().dirty) {
            if (writer == null) {
                throw new IllegalStateException("a dirty entry cannot be evicted without a writer");
            }
            writer.write(eldest.getKey(), eldest.getValue().value);
            flushedWrites++;
        }
        it.remove();
    }

    /**
     * Writes every dirty entry to the state (before a checkpoint barrier and at the end of input)
     * and returns how many it wrote.
     */
    int flushDirty(Writer<V> writer) throws Exception {
        int written = 0;
        for (Map.Entry<String, Entry<V>> e : entries.entrySet()) {
            if (e.getValue().dirty) {
                writer.write(e.getKey(), e.getValue().value);
                e.getValue().dirty = false;
                written++;
            }
        }
        flushedWrites += written;
        return written;
    }

    int size() {
        return entries.size();
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }

    /** Writes that reached the state from the cache (evictions and flushes). */
    long flushedWrites() {
        return flushedWrites;
    }
}
