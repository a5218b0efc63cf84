package dev.duet.job.operators;

import java.io.IOException;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;

/**
 * A keyed value state with a {@link KeyedStateCache} in front: read through the cache, and written
 * through it to the state, or behind it once an operator that flushes before every checkpoint
 * barrier turns write-behind on ({@link UserHistoryOperator}, {@link ItemPopularityOperator}).
 */
final class CachedValueState<V> {

    private final ValueState<V> state;
    private final KeyedStateCache<V> cache;
    /** Null until write-behind is on; writes a value under its key. */
    private KeyedStateCache.Writer<V> keyedWriter;

    CachedValueState(ValueState<V> state, KeyedStateCache<V> cache) {
        this.state = state;
        this.cache = cache;
    }

    /** The current key's value ({@code key} must be the current key), null when there is none. */
    V value(String key) throws IOException {
        V cached = cache.get(key);
        return cached != null ? cached : state.value();
    }

    /** Sets the current key's value ({@code key} must be the current key). */
    void update(String key, V value) throws Exception {
        if (keyedWriter != null) {
            cache.putDirty(key, value, keyedWriter);
        } else {
            state.update(value);
            cache.putClean(key, value);
        }
    }

    /**
     * Turns on write-behind: writes stay in the cache until their key is evicted or {@link #flush}
     * runs, both writing under the entry's own key through {@code operator}. Only an operator that
     * flushes before every checkpoint barrier and at the end of input may call this.
     */
    void enableWriteBehind(AbstractStreamOperator<?> operator) {
        keyedWriter = (key, value) -> {
            // Only an operator can write another key's state: switch to the entry's key and back.
            Object current = operator.getCurrentKey();
            operator.setCurrentKey(key);
            try {
                state.update(value);
            } finally {
                if (current != null) {
                    operator.setCurrentKey(current);
                }
            }
        };
    }

    /** Writes every value the cache holds unwritten to the state (write-behind only); returns how many. */
    int flush() throws Exception {
        return keyedWriter == null ? 0 : cache.flushDirty(keyedWriter);
    }

    KeyedStateCache<V> cache() {
        return cache;
    }
}
