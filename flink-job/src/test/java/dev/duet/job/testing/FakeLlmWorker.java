package dev.duet.job.testing;

import dev.duet.proto.v1.LlmScorerGrpc;
import dev.duet.proto.v1.ScoreBatchReply;
import dev.duet.proto.v1.ScoreBatchRequest;
import dev.duet.proto.v1.ScoreReply;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny LlmScorer on 127.0.0.1 for tests: pointwise it answers the CRM probability shifted
 * towards 0.5 by a fixed amount, listwise the candidates' reversed CRM order; it names itself in
 * model_version, can delay its answers and can be stopped.
 */
public final class FakeLlmWorker implements AutoCloseable {

    private final String name;
    private final Server server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile long delayMs;

    public FakeLlmWorker(String name, long delayMs) throws Exception {
        this(name, delayMs, InsecureServerCredentials.create());
    }

    /** A plaintext worker on a given port: a worker that comes back where it was. */
    public static FakeLlmWorker onPort(String name, int port) throws Exception {
        return new FakeLlmWorker(name, 0, InsecureServerCredentials.create(), port);
    }

    /** A worker that serves TLS with the given certificate. */
    public FakeLlmWorker(String name, SelfSignedCertificate tls) throws Exception {
        this(name, 0, TlsServerCredentials.create(tls.certificate().toFile(), tls.privateKey().toFile()));
    }

    private FakeLlmWorker(String name, long delayMs, ServerCredentials credentials) throws Exception {
        this(name, delayMs, credentials, 0);
    }

    private FakeLlmWorker(String name, long delayMs, ServerCredentials credentials, int port) throws Exception {
        this.name = name;
        this.delayMs = delayMs;
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port), credentials)
                .addService(new LlmScorerGrpc.LlmScorerImplBase() {
                    @Override
                    public void score(ScoreBatchRequest request, StreamObserver<ScoreBatchReply> observer) {
                        answer(request, observer);
                    }
                })
                .build()
                .start();
    }

    private void answer(ScoreBatchRequest request, StreamObserver<ScoreBatchReply> observer) {
        try {
            if (delayMs > 0) {
                Thread.sleep(delayMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ScoreBatchReply.Builder reply = ScoreBatchReply.newBuilder();
        for (ScoreRequest r : request.getRequestsList()) {
            requests.incrementAndGet();
            ScoreReply.Builder b = ScoreReply.newBuilder().setRequestId(r.getRequestId()).setModelName("fake").setModelVersion(name);
            for (int i = 0; i < r.getCandidatesCount(); i++) {
                float p = r.getCandidates(i).getCrmProbability();
                b.addScores(r.getTask() == Task.TASK_POINTWISE ? p + (0.5f - p) * 0.5f : -p);
            }
            reply.addReplies(b);
        }
        observer.onNext(reply.build());
        observer.onCompleted();
    }

    public String target() {
        return "127.0.0.1:" + server.getPort();
    }

    public int port() {
        return server.getPort();
    }

    public String name() {
        return name;
    }

    public int requests() {
        return requests.get();
    }

    public void setDelayMs(long delayMs) {
        this.delayMs = delayMs;
    }

    /** Stops at once: in-flight calls fail, new connections are refused. */
    public void stop() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
