package dev.duet.bench.faults;

import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.LlmScorerGrpc;
import dev.duet.proto.v1.ScoreBatchRequest;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Asks a worker process over gRPC, as the job does: whether it serves (answers a score request),
 * and the catalog warm-up. Each attempt opens a fresh channel, so that the probe's own reconnect
 * backoff never delays the moment it sees the worker serving.
 */
final class WorkerProbe {

    private static final ScoreRequest PING = ScoreRequest.newBuilder().setRequestId("faults-ping").setUserId("faults-ping")
            .setTask(Task.TASK_POINTWISE).addCandidates(Candidate.newBuilder().setItemId("ping").setTitle("ping")
                    .setCrmProbability(0.5f)).build();

    private WorkerProbe() {}

    /** Whether the worker at 127.0.0.1:{@code port} answers a score request within {@code deadline}. */
    static boolean serves(int port, Duration deadline) {
        return call(port, List.of(PING), deadline);
    }

    /**
     * Polls until the worker answers and returns the wall-clock time (epoch ms) of the first
     * answer's reply; fails when {@code timeout} passes first.
     */
    static long awaitServing(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (serves(port, Duration.ofSeconds(2))) {
                return System.currentTimeMillis();
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the worker on 127.0.0.1:" + port + " did not serve within " + timeout.toSeconds() + " s");
    }

    /** Sends the requests one by one (e.g. {@code DemoWorker.warmUpRequests}); false at the first failure. */
    static boolean call(int port, List<ScoreRequest> requests, Duration deadlineEach) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            LlmScorerGrpc.LlmScorerBlockingStub stub = LlmScorerGrpc.newBlockingStub(channel);
            for (ScoreRequest r : requests) {
                stub.withDeadlineAfter(deadlineEach.toMillis(), TimeUnit.MILLISECONDS)
                        .score(ScoreBatchRequest.newBuilder().addRequests(r).build());
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        } finally {
            channel.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
