package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.job.model.UserState;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UserStateCacheTest {

    private final AtomicLong now = new AtomicLong(1_000);

    @Test
    void aUserEntersOnAWriteAndIsReturnedUntilEvicted() {
        UserStateCache cache = new UserStateCache(2, 0, now::get);
        UserState a = new UserState();
        UserState b = new UserState();
        assertThat(cache.get("a")).isNull();
        cache.put("a", a);
        cache.put("b", b);
        assertThat(cache.get("a")).isSameAs(a);
        // "b" is now the least recently used: a third user evicts it, not "a".
        cache.put("c", new UserState());
        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("a")).isSameAs(a);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.hits()).isEqualTo(2);
        assertThat(cache.misses()).isEqualTo(2);
    }

    @Test
    void anEntryIsNotReturnedOnceTheStatesTimeToLiveSinceItsLastWritePassed() {
        UserStateCache cache = new UserStateCache(10, 100, now::get);
        UserState a = new UserState();
        cache.put("a", a);
        now.addAndGet(99);
        assertThat(cache.get("a")).isSameAs(a);
        // Reads do not refresh the time to live (Flink's TTL: on create and write only)...
        now.addAndGet(1);
        assertThat(cache.get("a")).isNull();
        // ...writes do.
        cache.put("a", a);
        now.addAndGet(50);
        cache.put("a", a);
        now.addAndGet(99);
        assertThat(cache.get("a")).isSameAs(a);
    }

    @Test
    void capacityZeroKeepsNothing() {
        UserStateCache cache = new UserStateCache(0, 0, now::get);
        cache.put("a", new UserState());
        assertThat(cache.get("a")).isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void negativeSettingsAreRefused() {
        assertThatThrownBy(() -> new UserStateCache(-1, 0, now::get)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UserStateCache(1, -1, now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
