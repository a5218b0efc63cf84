package dev.duet.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.job.testing.CapturedLog;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ModelSwapperTest {

    private static final Logger LOG = LoggerFactory.getLogger(ModelSwapperTest.class);
    private static final ModelSwapper.Backoff FAST = new ModelSwapper.Backoff(40, 100);

    /** A model that knows its path and whether it was closed. */
    static final class Model implements AutoCloseable {
        final String path;
        volatile boolean closed;

        Model(String path) {
            this.path = path;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Loads anything; paths it was told to hold wait for their latch; paths told to fail fail. */
    static final class Loader implements ModelSwapper.Loader<Model> {
        final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
        final CountDownLatch slowLoadStarted = new CountDownLatch(1);
        final List<String> attempts = new CopyOnWriteArrayList<>();
        final List<Long> attemptNanos = new CopyOnWriteArrayList<>();
        final List<Model> loaded = new CopyOnWriteArrayList<>();

        @Override
        public Model load(String path) throws Exception {
            attempts.add(path);
            attemptNanos.add(System.nanoTime());
            CountDownLatch gate = gates.get(path);
            if (gate != null) {
                slowLoadStarted.countDown();
                assertThat(gate.await(10, TimeUnit.SECONDS)).as("released").isTrue();
            }
            AtomicInteger fail = failuresLeft.get(path);
            if (fail != null && fail.getAndDecrement() > 0) {
                throw new IllegalArgumentException("Model file not found: " + path, new java.io.IOException("no such file " + path));
            }
            Model m = new Model(path);
            loaded.add(m);
            return m;
        }
    }

    private static ModelSwapper<Model> swapper(Loader loader, String initial) throws Exception {
        return new ModelSwapper<>("model", "scoring", loader, m -> "version-of-" + m.path, FAST, LOG, 0, initial);
    }

    /** Calls swapIfReady (as each batch does) until {@code condition} holds, for at most 5 s. */
    private static void batchUntil(ModelSwapper<Model> swapper, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
            swapper.swapIfReady();
            Thread.sleep(2);
        }
    }

    @Test
    void aSlowLoadDoesNotBlockTheCallerWhichKeepsTheOldModelUntilItIsReady() throws Exception {
        Loader loader = new Loader();
        CountDownLatch release = new CountDownLatch(1);
        loader.gates.put("/m/v2", release);
        try (ModelSwapper<Model> swapper = swapper(loader, "/m/v1");
                CapturedLog log = CapturedLog.of(ModelSwapperTest.class)) {
            Model v1 = swapper.model();
            swapper.request("/m/v2");
            // The load is under way (the loader is inside load("/m/v2"), held by the latch) and the
            // caller is here, with the old model: request() returned without waiting for it.
            assertThat(loader.slowLoadStarted.await(5, TimeUnit.SECONDS)).isTrue();
            for (int batch = 0; batch < 3; batch++) {
                assertThat(swapper.swapIfReady()).isFalse();
                assertThat(swapper.model()).isSameAs(v1);
            }
            assertThat(swapper.pending()).isTrue();
            assertThat(swapper.currentVersion()).isEqualTo("version-of-/m/v1");

            release.countDown();
            batchUntil(swapper, () -> swapper.model() != v1);
            assertThat(swapper.model().path).isEqualTo("/m/v2");
            assertThat(swapper.currentVersion()).isEqualTo("version-of-/m/v2");
            assertThat(swapper.versionHash()).isEqualTo(Integer.toUnsignedLong("version-of-/m/v2".hashCode()));
            assertThat(swapper.pending()).isFalse();
            assertThat(swapper.swaps()).isEqualTo(1);
            assertThat(v1.closed).as("the replaced model is closed once no batch uses it").isTrue();
            assertThat(swapper.model().closed).isFalse();
            assertThat(log.at(Level.INFO)).singleElement().asString()
                    .contains("Model swapped in subtask 0: now scoring with /m/v2 (version version-of-/m/v2, versionHash "
                            + swapper.versionHash() + "), was /m/v1 (version version-of-/m/v1, versionHash "
                            + ModelSwapper.versionHash("version-of-/m/v1") + ")");
        }
    }

    @Test
    void aPathThatFailsIsRetriedWithAGrowingDelayCountedAndLoggedOncePerReason() throws Exception {
        Loader loader = new Loader();
        loader.failuresLeft.put("/m/v2", new AtomicInteger(3));
        try (ModelSwapper<Model> swapper = swapper(loader, "/m/v1");
                CapturedLog log = CapturedLog.of(ModelSwapperTest.class)) {
            swapper.request("/m/v2");
            batchUntil(swapper, () -> swapper.model().path.equals("/m/v2"));
            assertThat(loader.attempts).containsExactly("/m/v1", "/m/v2", "/m/v2", "/m/v2", "/m/v2");
            assertThat(swapper.failures()).isEqualTo(3);
            // Attempts 2, 3 and 4 came after 40, 80 and 100 ms (the delay doubled, then capped).
            long[] gapsMs = new long[3];
            for (int i = 0; i < 3; i++) {
                gapsMs[i] = (loader.attemptNanos.get(i + 2) - loader.attemptNanos.get(i + 1)) / 1_000_000;
            }
            assertThat(gapsMs[0]).isGreaterThanOrEqualTo(40);
            assertThat(gapsMs[1]).isGreaterThanOrEqualTo(80);
            assertThat(gapsMs[2]).isGreaterThanOrEqualTo(100);
            List<String> errors = log.at(Level.ERROR);
            assertThat(errors).as("one ERROR for three failures with the same reason").singleElement().asString()
                    .contains("Cannot load the model /m/v2", "no such file /m/v2", "still scoring with /m/v1");
            assertThat(log.at(Level.INFO)).singleElement().asString().contains("at attempt 4");
        }
    }

    @Test
    void aLaterRequestSupersedesALoadInFlightAndWins() throws Exception {
        Loader loader = new Loader();
        CountDownLatch release = new CountDownLatch(1);
        loader.gates.put("/m/v2", release);
        try (ModelSwapper<Model> swapper = swapper(loader, "/m/v1")) {
            swapper.request("/m/v2");
            assertThat(loader.slowLoadStarted.await(5, TimeUnit.SECONDS)).isTrue();
            swapper.request("/m/v3"); // the control topic changed its mind while v2 is loading
            release.countDown();
            batchUntil(swapper, () -> swapper.model().path.equals("/m/v3"));
            Thread.sleep(50);
            assertThat(swapper.swapIfReady()).isFalse();
            assertThat(swapper.model().path).isEqualTo("/m/v3");
            assertThat(swapper.swaps()).as("v2 was never installed").isEqualTo(1);
            Model v2 = loader.loaded.stream().filter(m -> m.path.equals("/m/v2")).findFirst().orElseThrow();
            assertThat(v2.closed).as("the superseded model is closed unused").isTrue();
        }
    }

    @Test
    void aLaterRequestStopsTheRetriesOfAFailingPath() throws Exception {
        Loader loader = new Loader();
        loader.failuresLeft.put("/m/bad", new AtomicInteger(1000));
        try (ModelSwapper<Model> swapper = swapper(loader, "/m/v1")) {
            swapper.request("/m/bad");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (swapper.failures() < 2) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(5);
            }
            swapper.request("/m/v3");
            batchUntil(swapper, () -> swapper.model().path.equals("/m/v3"));
            long badAttempts = loader.attempts.stream().filter("/m/bad"::equals).count();
            Thread.sleep(250); // more than two retry delays
            assertThat(loader.attempts.stream().filter("/m/bad"::equals).count()).isEqualTo(badAttempts);
            assertThat(swapper.failures()).isEqualTo(badAttempts);
        }
    }

    @Test
    void theSameFailingPathSentAgainIsTriedAtOnceButALoadUnderWayIsNotRestarted() throws Exception {
        Loader loader = new Loader();
        loader.failuresLeft.put("/m/v2", new AtomicInteger(1));
        try (ModelSwapper<Model> swapper = new ModelSwapper<>("model", "scoring", loader, m -> m.path,
                new ModelSwapper.Backoff(60_000, 60_000), LOG, 0, "/m/v1")) {
            swapper.request("/m/v2");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (swapper.failures() < 1) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(5);
            }
            swapper.request("/m/v2"); // the file was fixed and the command sent again: no 60 s wait
            batchUntil(swapper, () -> swapper.model().path.equals("/m/v2"));
            assertThat(loader.attempts).containsExactly("/m/v1", "/m/v2", "/m/v2");
        }
    }

    @Test
    void aPathInForceBeforeTheStartIsOpenedAtOnceAndLaterChangesInTheBackground() throws Exception {
        Loader loader = new Loader();
        CountDownLatch release = new CountDownLatch(1);
        loader.gates.put("/m/v3", release);
        try (ModelSwapper<Model> swapper = swapper(loader, "/m/v1")) {
            Model v1 = swapper.model();
            swapper.follow("/m/v2"); // the first task after a restore names the restored path
            assertThat(swapper.model().path).isEqualTo("/m/v2");
            assertThat(v1.closed).isTrue();
            swapper.follow("/m/v2");
            swapper.follow("/m/v3"); // a change while running: in the background
            assertThat(loader.slowLoadStarted.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(swapper.model().path).isEqualTo("/m/v2");
            release.countDown();
            batchUntil(swapper, () -> swapper.model().path.equals("/m/v3"));
        }
    }

    @Test
    void tasksStillNamingTheOldPathDoNotUndoARequestButAChangedPathIsWanted() throws Exception {
        Loader loader = new Loader();
        try (ModelSwapper<Model> swapper = swapper(loader, "/m/v1")) {
            swapper.follow("/m/v1");
            swapper.request("/m/v2");
            for (int i = 0; i < 20; i++) {
                swapper.follow("/m/v1"); // tasks that do not carry the control topic's path (the configured one)
                Thread.sleep(1);
            }
            batchUntil(swapper, () -> swapper.model().path.equals("/m/v2"));
            Thread.sleep(50);
            swapper.follow("/m/v1");
            assertThat(swapper.swapIfReady()).isFalse();
            assertThat(swapper.model().path).isEqualTo("/m/v2");
            // The path tasks name changes (no control record told this subtask): that is wanted too.
            swapper.follow("/m/v3");
            batchUntil(swapper, () -> swapper.model().path.equals("/m/v3"));
            assertThat(loader.attempts).containsExactly("/m/v1", "/m/v2", "/m/v3");
        }
    }

    @Test
    void aRestoredPathThatDoesNotLoadKeepsTheConfiguredModelAndIsRetried() throws Exception {
        Loader loader = new Loader();
        loader.failuresLeft.put("/m/v2", new AtomicInteger(1));
        try (ModelSwapper<Model> swapper = swapper(loader, "/m/v1")) {
            swapper.follow("/m/v2");
            assertThat(swapper.model().path).isEqualTo("/m/v1");
            assertThat(swapper.failures()).isEqualTo(1);
            batchUntil(swapper, () -> swapper.model().path.equals("/m/v2"));
        }
    }

    @Test
    void theInitialModelLoadsOnTheCallerAndAFailureStopsTheStart() {
        Loader loader = new Loader();
        loader.failuresLeft.put("/m/broken", new AtomicInteger(1));
        assertThatThrownBy(() -> swapper(loader, "/m/broken")).hasMessageContaining("/m/broken");
    }

    @Test
    void closingClosesTheModelInUse() throws Exception {
        Loader loader = new Loader();
        ModelSwapper<Model> swapper = swapper(loader, "/m/v1");
        Model v1 = swapper.model();
        swapper.close();
        assertThat(v1.closed).isTrue();
    }

    @Test
    void delaysDoubleFromTheFirstUpToTheLargest() {
        ModelSwapper.Backoff d = ModelSwapper.Backoff.DEFAULT;
        assertThat(new long[] {d.delayAfter(1), d.delayAfter(2), d.delayAfter(3), d.delayAfter(6), d.delayAfter(7), d.delayAfter(500)})
                .containsExactly(1000, 2000, 4000, 32_000, 60_000, 60_000);
        assertThatThrownBy(() -> new ModelSwapper.Backoff(0, 10)).hasMessageContaining("first");
    }
}
