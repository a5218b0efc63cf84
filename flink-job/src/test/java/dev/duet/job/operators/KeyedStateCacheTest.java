package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.job.model.UserState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyedStateCacheTest {

    private final AtomicLong now = new AtomicLong(1_000);

    @Test
    void aUserEntersOnAWriteAndIsReturnedUntilEvicted() throws Exception {
        KeyedStateCache<UserState> cache = new KeyedStateCache<>(2, 0, now::get);
        UserState a = new UserState();
        UserState b = new UserState();
        assertThat(cache.get("a")).isNull();
        cache.putClean("a", a);
        cache.putClean("b", b);
        assertThat(cache.get("a")).isSameAs(a);
        // "b" is now the least recently used: a third user evicts it, not "a".
        cache.putClean("c", new UserState());
        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("a")).isSameAs(a);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.hits()).isEqualTo(2);
        assertThat(cache.misses()).isEqualTo(2);
    }

    @Test
    void anEntryIsNotReturnedOnceTheStatesTimeToLiveSinceItsLastWritePassed() throws Exception {
        KeyedStateCache<UserState> cache = new KeyedStateCache<>(10, 100, now::get);
        UserState a = new UserState();
        cache.putClean("a", a);
        now.addAndGet(99);
        assertThat(cache.get("a")).isSameAs(a);
        // Reads do not refresh the time to live (Flink's TTL: on create and write only)...
        now.addAndGet(1);
        assertThat(cache.get("a")).isNull();
        // ...writes do.
        cache.putClean("a", a);
        now.addAndGet(50);
        cache.putClean("a", a);
        now.addAndGet(99);
        assertThat(cache.get("a")).isSameAs(a);
    }

    @Test
    void capacityZeroKeepsNothingAndWritesDirtyEntriesAtOnce() throws Exception {
        KeyedStateCache<UserState> cache = new KeyedStateCache<>(0, 0, now::get);
        cache.putClean("a", new UserState());
        assertThat(cache.get("a")).isNull();
        Map<String, UserState> written = new LinkedHashMap<>();
        UserState b = new UserState();
        cache.putDirty("b", b, written::put);
        assertThat(written).containsExactly(Map.entry("b", b));
        assertThat(cache.size()).isZero();
    }

    @Test
    void dirtyEntriesReachTheStateWhenEvictedAndWhenFlushedEachOnce() throws Exception {
        KeyedStateCache<UserState> cache = new KeyedStateCache<>(2, 0, now::get);
        List<String> written = new ArrayList<>();
        KeyedStateCache.Writer<UserState> writer = (id, s) -> written.add(id);
        cache.putDirty("a", new UserState(), writer);
        cache.putClean("b", new UserState());
        cache.putDirty("a", new UserState(), writer);
        assertThat(written).isEmpty();
        // "b" is the eldest and clean: evicted without a write.
        cache.putDirty("c", new UserState(), writer);
        assertThat(written).isEmpty();
        // "a" is now the eldest and dirty: written on its eviction.
        cache.putDirty("d", new UserState(), writer);
        assertThat(written).containsExactly("a");
        cache.flushDirty(writer);
        assertThat(written).containsExactly("a", "c", "d");
        // Flushed entries are clean: a second flush writes nothing, and they are still cached.
        cache.flushDirty(writer);
        assertThat(written).hasSize(3);
        assertThat(cache.get("c")).isNotNull();
        assertThat(cache.flushedWrites()).isEqualTo(3);
    }

    @Test
    void negativeSettingsAreRefused() {
        assertThatThrownBy(() -> new KeyedStateCache<UserState>(-1, 0, now::get)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KeyedStateCache<UserState>(1, -1, now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
