package dev.duet.job.operators;

import dev.duet.job.model.UserState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A write-through cache of recently used users' state objects in front of the keyed state, per
 * subtask. With RocksDB every read deserialises the user's whole history (50 ids as new strings,
 * whose hash codes every catalog and vocabulary lookup then computes again); a hit returns the
 * object the last write stored, strings and all.
 *
 * <p>It stays exact because this subtask is the only writer of its keys' state and every write goes
 * through {@link #put} after the state's own update: a cached object always equals what the state
 * holds. A user enters only on a write (then the write's time is known), and an entry is not
 * returned once the state's time to live since that write has passed, as Flink's own TTL would
 * not return the value (processing time, refreshed on create and write). The cache is not state:
 * a restored or rescaled operator starts with an empty one and reads through.
 */
final class UserStateCache {

    private final int capacity;
    private final long ttlMs;
    private final LongSupplier clock;
    private final LinkedHashMap<String, Entry> entries;
    private long hits;
    private long misses;

    private static final class Entry {
        UserState state;
        long writtenAtMs;
    }

    /**
     * @param capacity most users kept; 0 disables the cache
     * @param ttlMs the state's time to live, 0 for none
     * @param clock processing time in milliseconds (the clock Flink's TTL reads)
     */
    UserStateCache(int capacity, long ttlMs, LongSupplier clock) {
        if (capacity < 0 || ttlMs < 0) {
            throw new IllegalArgumentException("cache capacity and time to live must not be negative");
        }
        this.capacity = capacity;
        this.ttlMs = ttlMs;
        this.clock = clock;
        // Access order: the least recently used user is evicted first.
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > UserStateCache.this.capacity;
            }
        };
    }

    /** The user's cached state, or null when the cache does not hold it (read the state then). */
    UserState get(String userId) {
        if (capacity == 0) {
            return null;
        }
        Entry e = entries.get(userId);
        if (e != null && ttlMs > 0 && clock.getAsLong() - e.writtenAtMs >= ttlMs) {
            entries.remove(userId);
            e = null;
        }
        if (e == null) {
            misses++;
            return null;
        }
        hits++;
        return e.state;
    }

    /** Records a write of the user's state (call after the state's own update). */
    void put(String userId, UserState state) {
        if (capacity == 0) {
            return;
        }
        Entry e = entries.get(userId);
        if (e == null) {
            e = new Entry();
            entries.put(userId, e);
        }
        e.state = state;
        e.writtenAtMs = clock.getAsLong();
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
}
