package dev.duet.worker.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/** A bounded least-recently-used map; synchronized, since gRPC and batching threads share it. */
public final class LruCache<K, V> {

    private final int capacity;
    private final LinkedHashMap<K, V> map;
    private long hits;
    private long misses;

    public LruCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("cache capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > LruCache.this.capacity;
            }
        };
    }

    public synchronized V get(K key) {
        V v = map.get(key);
        if (v == null) {
            misses++;
        } else {
            hits++;
        }
        return v;
    }

    public synchronized void put(K key, V value) {
        map.put(key, value);
    }

    public synchronized int size() {
        return map.size();
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }
}
