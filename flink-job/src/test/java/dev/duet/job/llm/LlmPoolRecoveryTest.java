package dev.duet.job.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.job.testing.FakeLlmWorker;
import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker over real gRPC goes down for long enough that gRPC's reconnect backoff has grown past
 * the recovery bound (1 s x 1.6^n: about 10 s between attempts after a 20 s outage), then comes
 * back on the same port: the pool, called steadily as the job calls it, must answer through it
 * again within 5 s (issue 20). The outage is {@code -Dduet.outage-seconds} (default 20).
 */
class LlmPoolRecoveryTest {

    private static final long RECOVERY_BOUND_MS = 5000;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void afterALongOutageTheWorkerIsUsedAgainWithinFiveSecondsOfServing() throws Exception {
        long outageMs = TimeUnit.SECONDS.toMillis(Long.getLong("duet.outage-seconds", 20));
        FakeLlmWorker worker = new FakeLlmWorker("w1", 0);
        int port = worker.port();
        AtomicLong lastAnswerMs = new AtomicLong();
        AtomicInteger answers = new AtomicInteger();
        ScheduledExecutorService caller = Executors.newSingleThreadScheduledExecutor();
        // The job's defaults: 800 ms per call, 3 attempts, breaker opens after 5 failures for 5 s.
        try (LlmPool pool = new LlmPool(List.of(worker.target()), 800, 3, 5, 5000, LlmTls.PLAINTEXT, "test")) {
            AtomicInteger n = new AtomicInteger();
            caller.scheduleAtFixedRate(() -> pool.score(request("r" + n.incrementAndGet())).whenComplete((reply, error) -> {
                if (error == null) {
                    answers.incrementAndGet();
                    lastAnswerMs.set(System.currentTimeMillis());
                }
            }), 0, 50, TimeUnit.MILLISECONDS);
            waitFor(() -> answers.get() >= 5, 10_000);

            worker.stop();
            long downAt = System.currentTimeMillis();
            Thread.sleep(outageMs);
            assertThat(pool.breakerState(0)).as("breaker during the outage").isNotEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(lastAnswerMs.get()).isLessThan(downAt + 1000);

            worker = FakeLlmWorker.onPort("w1", port);
            long servingAt = System.currentTimeMillis();
            waitFor(() -> lastAnswerMs.get() > servingAt, 60_000);
            long recoveryMs = lastAnswerMs.get() - servingAt;
            System.out.printf("outage %d s: first answer %d ms after the worker served again%n", outageMs / 1000, recoveryMs);
            assertThat(recoveryMs).as("recovery after a %d s outage", outageMs / 1000).isLessThan(RECOVERY_BOUND_MS);
            assertThat(pool.breakerState(0)).isEqualTo(CircuitBreaker.State.CLOSED);
        } finally {
            caller.shutdownNow();
            worker.close();
        }
    }

    /**
     * A worker that is reachable but too slow keeps its breaker open for the whole open time: only
     * a worker that was unreachable is let out early when its connection is ready again.
     */
    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void aSlowButConnectedWorkerWaitsOutItsOpenTime() throws Exception {
        try (FakeLlmWorker slow = new FakeLlmWorker("slow", 400);
                LlmPool pool = new LlmPool(List.of(slow.target()), 100, 1, 2, 5000, LlmTls.PLAINTEXT, "test")) {
            for (int i = 0; i < 2; i++) {
                pool.score(request("r" + i)).handle((r, e) -> null).get(5, TimeUnit.SECONDS);
            }
            assertThat(pool.breakerState(0)).isEqualTo(CircuitBreaker.State.OPEN);
            Thread.sleep(3 * LlmPool.WATCH_MS + 500);
            assertThat(pool.breakerState(0)).as("2 s into a 5 s open time").isEqualTo(CircuitBreaker.State.OPEN);
        }
    }

    private static ScoreRequest request(String id) {
        return ScoreRequest.newBuilder()
                .setRequestId(id)
                .setUserId("u1")
                .setTask(Task.TASK_POINTWISE)
                .addCandidates(Candidate.newBuilder().setItemId("i1").setTitle("Toy Story").setCrmProbability(0.9f))
                .build();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
    }
}
