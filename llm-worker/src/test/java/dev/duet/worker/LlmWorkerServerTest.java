package dev.duet.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.testing.SharedResources;
import dev.duet.proto.v1.LlmScorerGrpc;
import dev.duet.proto.v1.ScoreBatchReply;
import dev.duet.proto.v1.ScoreBatchRequest;
import dev.duet.proto.v1.ScoreReply;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import dev.duet.worker.internal.CausalLmBackend;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The worker over real gRPC on 127.0.0.1, with the stories260k causal LM behind it. */
class LlmWorkerServerTest {

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static CausalLmBackend stories() throws Exception {
        Path dir = SharedResources.resolve("models/stories260k");
        return CausalLmBackend.builder().modelDir(dir).build();
    }

    private LlmWorker start(WorkerConfig.Builder config, ScoringBackend backend) throws Exception {
        LlmWorker worker = LlmWorker.start(config.build(), backend);
        open.add(worker);
        return worker;
    }

    private ManagedChannel channel(LlmWorker worker) {
        ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", worker.port())
                .usePlaintext().build();
        open.add(() -> {
            ch.shutdownNow();
            ch.awaitTermination(5, TimeUnit.SECONDS);
        });
        return ch;
    }

    private static LlmScorerGrpc.LlmScorerBlockingStub blocking(ManagedChannel ch) {
        return LlmScorerGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static ScoreBatchRequest batch(ScoreRequest... requests) {
        return ScoreBatchRequest.newBuilder().addAllRequests(List.of(requests)).build();
    }

    @Test
    void scoresAreServedWithTimingsHealthAndModelName() throws Exception {
        LlmWorker worker = start(WorkerConfig.builder().maxBatch(8), stories());
        ManagedChannel ch = channel(worker);
        ScoreBatchReply reply = blocking(ch).score(batch(
                TestRequests.pointwise("one", 3, "Babe (1995)"),
                TestRequests.pointwise("two", 1, "Heat (1995)")));
        assertThat(reply.getRepliesList()).extracting(ScoreReply::getRequestId)
                .containsExactly("one", "two");
        for (ScoreReply r : reply.getRepliesList()) {
            assertThat(r.getScoresList()).hasSize(1);
            assertThat(r.getScores(0)).isBetween(0f, 1f);
            assertThat(r.getModelName()).isEqualTo("causal-lm:stories260k");
            assertThat(r.getModelVersion()).hasSize(12);
            assertThat(r.getTimings().getBatchSize()).isBetween(1, 2);
            assertThat(r.getTimings().getTotalUs()).isGreaterThanOrEqualTo(
                    r.getTimings().getComputeUs());
        }
        HealthCheckResponse health = HealthGrpc.newBlockingStub(ch)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("duet.v1.LlmScorer").build());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(reflectedServices(ch)).contains("duet.v1.LlmScorer", "grpc.health.v1.Health");
    }

    /** Lists services through server reflection, as grpcurl does. */
    private static List<String> reflectedServices(ManagedChannel ch) throws Exception {
        List<String> names = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<ServerReflectionRequest> in = ServerReflectionGrpc.newStub(ch)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse r) {
                        r.getListServicesResponse().getServiceList()
                                .forEach(s -> names.add(s.getName()));
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        in.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        in.onCompleted();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        return names;
    }

    @Test
    void oldConnectionsAreAskedToReconnectSoDnsBalancedClientsFindNewReplicas() throws Exception {
        LlmWorker worker = start(WorkerConfig.builder().maxConnectionAge(Duration.ofMillis(500))
                .shutdownGrace(Duration.ofSeconds(1)), stories());
        ManagedChannel ch = channel(worker);
        assertThat(blocking(ch).score(batch(TestRequests.pointwise("a", 2, "Babe (1995)"))).getRepliesCount())
                .isEqualTo(1);
        assertThat(ch.getState(false)).isEqualTo(ConnectivityState.READY);
        // The server's GOAWAY (age 0.5 s, jittered by gRPC up to +10 %) sends the idle channel back
        // to IDLE; the next call connects anew, which is when a dns:/// client re-resolves.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ch.getState(false) == ConnectivityState.READY && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ch.getState(false)).isNotEqualTo(ConnectivityState.READY);
        assertThat(blocking(ch).score(batch(TestRequests.pointwise("b", 2, "Heat (1995)"))).getRepliesCount())
                .isEqualTo(1);
    }

    @Test
    void withoutAMaximumAgeAConnectionStays() throws Exception {
        LlmWorker worker = start(WorkerConfig.builder(), stories());
        ManagedChannel ch = channel(worker);
        blocking(ch).score(batch(TestRequests.pointwise("a", 2, "Babe (1995)")));
        Thread.sleep(1500);
        assertThat(ch.getState(false)).isEqualTo(ConnectivityState.READY);
    }

    @Test
    void malformedRequestsAreInvalidArgumentNamingRequestAndField() throws Exception {
        LlmWorker worker = start(WorkerConfig.builder(), stories());
        LlmScorerGrpc.LlmScorerBlockingStub stub = blocking(channel(worker));
        ScoreRequest good = TestRequests.pointwise("ok", 2, "Babe (1995)");
        Map<String, ScoreRequest> cases = Map.of(
                "candidates is empty", good.toBuilder().setRequestId("r1").clearCandidates().build(),
                "request_id is empty", good.toBuilder().setRequestId("").build(),
                "candidates[1].title", good.toBuilder().setRequestId("r3")
                        .addCandidates(TestRequests.candidate("").toBuilder().setText(" ")).build(),
                "task is TASK_UNSPECIFIED", good.toBuilder().setRequestId("r4")
                        .setTask(Task.TASK_UNSPECIFIED).build(),
                "task is unknown (7)", good.toBuilder().setRequestId("r5").setTaskValue(7).build(),
                "candidates[0].crm_probability", good.toBuilder().setRequestId("r6")
                        .setCandidates(0, good.getCandidates(0).toBuilder().setCrmProbability(2f))
                        .build());
        for (Map.Entry<String, ScoreRequest> c : cases.entrySet()) {
            String id = c.getValue().getRequestId().isEmpty()
                    ? "<empty>" : c.getValue().getRequestId();
            assertThatThrownBy(() -> stub.score(batch(good, c.getValue())))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription())
                                .contains("request '" + id + "'").contains(c.getKey());
                    });
        }
        assertThatThrownBy(() -> stub.score(ScoreBatchRequest.getDefaultInstance()))
                .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("requests is empty");
        // A very long title is cut before it enters the prompt, so it stays within the model.
        ScoreRequest longTitle = good.toBuilder().setRequestId("long")
                .setCandidates(0, TestRequests.candidate("x".repeat(100_000))).build();
        assertThat(stub.score(batch(longTitle)).getReplies(0).getScoresCount()).isEqualTo(1);
    }

    @Test
    void tooLongPromptIsInvalidArgument() throws Exception {
        CausalLmBackend tight = CausalLmBackend.builder()
                .modelDir(SharedResources.resolve("models/stories260k")).maxTokens(60).build();
        LlmWorker worker = start(WorkerConfig.builder(), tight);
        assertThatThrownBy(() -> blocking(channel(worker)).score(
                        batch(TestRequests.pointwise("big", 8, "Babe (1995)"))))
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("request 'big'")
                .hasMessageContaining("prompt");
    }

    @Test
    void burstBeyondTheQueueIsShedAndTheWorkerRecovers() throws Exception {
        GatedBackend gated = new GatedBackend(stories(), true);
        LlmWorker worker = start(WorkerConfig.builder().maxBatch(4).queueCapacity(8), gated);
        ManagedChannel ch = channel(worker);
        LlmScorerGrpc.LlmScorerStub async = LlmScorerGrpc.newStub(ch);
        int burst = 60;
        Map<String, Status.Code> outcomes = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(burst);
        for (int i = 0; i < burst; i++) {
            String id = "b" + i;
            async.withDeadlineAfter(30, TimeUnit.SECONDS).score(
                    batch(TestRequests.pointwise(id, i % 5, "Babe (1995)")),
                    observer(id, outcomes, done));
            if (i == 0) {
                // The first request holds the batching thread, so the queue really fills.
                assertThat(gated.entered.await(10, TimeUnit.SECONDS)).isTrue();
            }
        }
        // Refusals come back at once, while the model is still blocked.
        long refusedEarly = waitFor(() -> outcomes.values().stream()
                .filter(c -> c == Status.Code.RESOURCE_EXHAUSTED).count(), burst - 9);
        assertThat(refusedEarly).isGreaterThanOrEqualTo(burst - 9);
        gated.open();
        assertThat(done.await(30, TimeUnit.SECONDS)).as("no call hangs").isTrue();
        assertThat(outcomes.values()).containsOnly(Status.Code.OK, Status.Code.RESOURCE_EXHAUSTED);
        assertThat(outcomes.values().stream().filter(c -> c == Status.Code.OK).count())
                .isEqualTo(9);
        assertThat(worker.metrics().errors(Status.Code.RESOURCE_EXHAUSTED))
                .isEqualTo(burst - 9);
        // Normal service afterwards.
        ScoreBatchReply after = blocking(ch).score(batch(TestRequests.pointwise("after", 2, "Up")));
        assertThat(after.getReplies(0).getScoresCount()).isEqualTo(1);
    }

    @Test
    void expiredDeadlinesAreDroppedBeforeCompute() throws Exception {
        GatedBackend gated = new GatedBackend(stories(), true);
        LlmWorker worker = start(WorkerConfig.builder().maxBatch(1), gated);
        ManagedChannel ch = channel(worker);
        // Already expired on arrival.
        ScoreRequest late = TestRequests.pointwise("late", 2, "Up").toBuilder()
                .setDeadlineMs(System.currentTimeMillis() - 1000).build();
        assertThatThrownBy(() -> blocking(ch).score(batch(late)))
                .hasMessageContaining("DEADLINE_EXCEEDED").hasMessageContaining("'late'");

        // Expires while queued behind a blocked batch.
        Map<String, Status.Code> outcomes = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(2);
        LlmScorerGrpc.LlmScorerStub async = LlmScorerGrpc.newStub(ch);
        async.withDeadlineAfter(30, TimeUnit.SECONDS).score(
                batch(TestRequests.pointwise("blocker", 1, "Up")),
                observer("blocker", outcomes, done));
        assertThat(gated.entered.await(10, TimeUnit.SECONDS)).isTrue();
        ScoreRequest queued = TestRequests.pointwise("queued", 1, "Up").toBuilder()
                .setDeadlineMs(System.currentTimeMillis() + 100).build();
        async.withDeadlineAfter(30, TimeUnit.SECONDS).score(batch(queued),
                observer("queued", outcomes, done));
        Thread.sleep(300);
        gated.open();
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(outcomes).containsEntry("blocker", Status.Code.OK)
                .containsEntry("queued", Status.Code.DEADLINE_EXCEEDED);
        assertThat(gated.computed).contains("blocker").doesNotContain("queued", "late");
    }

    @Test
    void shutdownDrainsQueuedWorkAndRefusesNewCalls() throws Exception {
        GatedBackend gated = new GatedBackend(stories(), true);
        LlmWorker worker = LlmWorker.start(WorkerConfig.builder().maxBatch(2).build(), gated);
        ManagedChannel ch = channel(worker);
        Map<String, Status.Code> outcomes = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(3);
        LlmScorerGrpc.LlmScorerStub async = LlmScorerGrpc.newStub(ch);
        for (int i = 0; i < 3; i++) {
            async.withDeadlineAfter(30, TimeUnit.SECONDS).score(
                    batch(TestRequests.pointwise("d" + i, 1, "Up")), observer("d" + i, outcomes, done));
            if (i == 0) {
                assertThat(gated.entered.await(10, TimeUnit.SECONDS)).isTrue();
            }
        }
        waitFor(() -> worker.metrics().scrape().contains("duet_worker_queue_depth 2") ? 1 : 0, 1);
        Thread closer = new Thread(() -> {
            try {
                worker.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        closer.start();
        Thread.sleep(200);
        gated.open();
        closer.join(30_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(outcomes).containsEntry("d0", Status.Code.OK).containsEntry("d1", Status.Code.OK)
                .containsEntry("d2", Status.Code.OK);
        assertThatThrownBy(() -> blocking(ch).score(batch(TestRequests.pointwise("x", 1, "Up"))))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("UNAVAILABLE");
    }

    @Test
    void streamAnswersEachRequestAndReportsErrorsInline() throws Exception {
        LlmWorker worker = start(WorkerConfig.builder().maxBatch(4), stories());
        LlmScorerGrpc.LlmScorerStub async = LlmScorerGrpc.newStub(channel(worker));
        List<ScoreReply> replies = new ArrayList<>();
        CountDownLatch completed = new CountDownLatch(1);
        StreamObserver<ScoreRequest> in = async.withDeadlineAfter(30, TimeUnit.SECONDS)
                .scoreStream(new StreamObserver<>() {
                    @Override
                    public void onNext(ScoreReply r) {
                        synchronized (replies) {
                            replies.add(r);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        completed.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        completed.countDown();
                    }
                });
        for (int i = 0; i < 10; i++) {
            in.onNext(TestRequests.pointwise("s" + i, i % 4, "Babe (1995)"));
        }
        in.onNext(TestRequests.pointwise("bad", 1, "Up").toBuilder().clearCandidates().build());
        in.onCompleted();
        assertThat(completed.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(replies).hasSize(11);
        Map<String, ScoreReply> byId = new ConcurrentHashMap<>();
        replies.forEach(r -> byId.put(r.getRequestId(), r));
        assertThat(byId.get("bad").getError().getCode()).isEqualTo("INVALID_ARGUMENT");
        assertThat(byId.get("bad").getScoresList()).isEmpty();
        for (int i = 0; i < 10; i++) {
            assertThat(byId.get("s" + i).hasError()).isFalse();
            assertThat(byId.get("s" + i).getScoresList()).hasSize(1);
        }
    }

    @Test
    void metricsEndpointServesPrometheusText() throws Exception {
        LlmWorker worker = start(WorkerConfig.builder().metricsPort(0), stories());
        LlmScorerGrpc.LlmScorerBlockingStub stub = blocking(channel(worker));
        stub.score(batch(TestRequests.pointwise("m1", 2, "Up"), TestRequests.pointwise("m2", 1, "Up")));
        assertThatThrownBy(() -> stub.score(batch(TestRequests.pointwise("m3", 1, "Up")
                .toBuilder().clearCandidates().build()))).isInstanceOf(StatusRuntimeException.class);
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + worker.metricsPort() + "/metrics"))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
        String body = response.body();
        assertThat(body)
                .contains("duet_worker_requests_total{rpc=\"Score\"} 3")
                .contains("duet_worker_errors_total{code=\"INVALID_ARGUMENT\"} 1")
                .contains("duet_worker_replies_total 2")
                .contains("duet_worker_queue_depth 0")
                .contains("# TYPE duet_worker_batch_size histogram")
                .contains("duet_worker_request_latency_seconds_count 2")
                .contains("duet_worker_info{model=\"causal-lm:stories260k\"");
        assertThat(body).containsPattern("duet_worker_batch_size_bucket\\{le=\"\\+Inf\"\\} [12]\n");
    }

    private static StreamObserver<ScoreBatchReply> observer(String id,
            Map<String, Status.Code> outcomes, CountDownLatch done) {
        return new StreamObserver<>() {
            @Override
            public void onNext(ScoreBatchReply value) {}

            @Override
            public void onError(Throwable t) {
                outcomes.put(id, Status.fromThrowable(t).getCode());
                done.countDown();
            }

            @Override
            public void onCompleted() {
                outcomes.put(id, Status.Code.OK);
                done.countDown();
            }
        };
    }

    /** Polls {@code value} for up to 10 s until it reaches {@code target}; returns the last value. */
    private static long waitFor(java.util.function.LongSupplier value, long target)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long v = value.getAsLong();
        while (v < target && System.nanoTime() < deadline) {
            Thread.sleep(10);
            v = value.getAsLong();
        }
        return v;
    }
}
