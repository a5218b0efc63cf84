package dev.duet.job.llm;

import dev.duet.proto.v1.LlmScorerGrpc;
import dev.duet.proto.v1.ScoreBatchReply;
import dev.duet.proto.v1.ScoreBatchRequest;
import dev.duet.proto.v1.ScoreReply;
import dev.duet.proto.v1.ScoreRequest;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of a pool of LLM workers: round-robin across workers whose circuit breaker is closed,
 * retry of transient errors on the next worker, and fast failure when every breaker is open.
 * Targets are {@code host:port} (one channel each, balanced here) or {@code dns:///name:port} (one
 * channel that gRPC balances round-robin across the name's addresses). Thread-safe.
 *
 * <p>Recovery after an outage: gRPC reconnects a failed channel with an exponential backoff that
 * grows to 2 minutes and that no public option bounds, and a call on a channel waiting out its
 * backoff fails at once with UNAVAILABLE, so a worker that came back after a long outage stayed
 * unused for up to that long (80 s after a 120 s outage, issue 20). A watchdog every {@link
 * #WATCH_MS} cuts the backoff of every channel in TRANSIENT_FAILURE short ({@code
 * resetConnectBackoff}); once a channel whose breaker is open is READY again the breaker goes
 * half-open at once, and the next call is its trial. Breakers opening and closing are logged,
 * once per outage and worker.
 */
public final class LlmPool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LlmPool.class);
    /** How often the watchdog looks at the channels: the bound on the reconnect delay. */
    static final long WATCH_MS = 500;

    /** Codes worth another attempt: the worker is down, overloaded, or was too slow this time. */
    static final Set<Status.Code> TRANSIENT =
            Set.of(Status.Code.UNAVAILABLE, Status.Code.RESOURCE_EXHAUSTED, Status.Code.DEADLINE_EXCEEDED, Status.Code.ABORTED);

    /** Why a call failed, for the output's fallback reason. */
    public static final class LlmCallException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public LlmCallException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A worker; {@code lostConnection}: its channel was seen not READY while its breaker was not
     * closed (the worker was unreachable, not only slow or overloaded).
     */
    private record Worker(String target, ManagedChannel channel, LlmScorerGrpc.LlmScorerFutureStub stub, CircuitBreaker breaker,
            java.util.concurrent.atomic.AtomicBoolean lostConnection) {}

    private final List<Worker> workers = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final long callTimeoutMs;
    private final int maxAttempts;
    private final ScheduledExecutorService retries;

    public LlmPool(List<String> targets, long callTimeoutMs, int maxAttempts, int breakerFailures, long breakerOpenMs) {
        this(targets, callTimeoutMs, maxAttempts, breakerFailures, breakerOpenMs, LlmTls.PLAINTEXT);
    }

    public LlmPool(List<String> targets, long callTimeoutMs, int maxAttempts, int breakerFailures, long breakerOpenMs,
            LlmTls tls) {
        this(targets, callTimeoutMs, maxAttempts, breakerFailures, breakerOpenMs, tls, "");
    }

    /**
     * @param owner who uses the pool, for its log lines (e.g. "llm pool subtask 1/2"); may be empty
     */
    public LlmPool(List<String> targets, long callTimeoutMs, int maxAttempts, int breakerFailures, long breakerOpenMs,
            LlmTls tls, String owner) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no LLM workers given");
        }
        if (maxAttempts < 1 || callTimeoutMs < 1) {
            throw new IllegalArgumentException("attempts and call timeout must be positive");
        }
        this.callTimeoutMs = callTimeoutMs;
        this.maxAttempts = maxAttempts;
        ChannelCredentials credentials = tls.credentials();
        for (String target : targets) {
            NettyChannelBuilder builder = NettyChannelBuilder.forTarget(target, credentials);
            if (!tls.authority().isEmpty()) {
                builder.overrideAuthority(tls.authority());
            }
            if (target.startsWith("dns:")) {
                builder.defaultLoadBalancingPolicy("round_robin");
            }
            ManagedChannel channel = builder.build();
            // Connect now, not on the first hard sample: the first connection costs more than a deadline.
            channel.getState(true);
            String where = owner.isEmpty() ? "" : " (" + owner + ")";
            workers.add(new Worker(target, channel, LlmScorerGrpc.newFutureStub(channel),
                    new CircuitBreaker(breakerFailures, breakerOpenMs, System::currentTimeMillis, new CircuitBreaker.Listener() {
                        @Override
                        public void opened(int consecutiveFailures) {
                            LOG.warn("LLM worker {}: circuit breaker opened after {} consecutive failures (last: {}){}; its samples go to"
                                            + " the other workers or fall back to the CRM until it answers again",
                                    target, consecutiveFailures, lastFailure(target), where);
                        }

                        @Override
                        public void closed(long unavailableMs) {
                            LOG.info("LLM worker {}: circuit breaker closed, answering again after {} ms{}", target, unavailableMs, where);
                        }
                    }), new java.util.concurrent.atomic.AtomicBoolean()));
        }
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "llm-pool-retries");
            t.setDaemon(true);
            return t;
        });
        retries.scheduleWithFixedDelay(this::watchChannels, WATCH_MS, WATCH_MS, TimeUnit.MILLISECONDS);
    }

    private final java.util.Map<String, String> lastFailures = new java.util.concurrent.ConcurrentHashMap<>();

    private String lastFailure(String target) {
        return lastFailures.getOrDefault(target, "unknown");
    }

    /**
     * Keeps reconnecting channels in TRANSIENT_FAILURE without gRPC's growing backoff, and lets a
     * worker whose channel is READY again after it was unreachable out of its open breaker at once
     * (see the class comment). A worker whose breaker opened while its channel stayed READY (slow
     * answers, load shed with RESOURCE_EXHAUSTED) waits out the breaker's open time as before.
     */
    void watchChannels() {
        for (Worker w : workers) {
            try {
                ConnectivityState state = w.channel().getState(false);
                CircuitBreaker.State breaker = w.breaker().state();
                if (breaker == CircuitBreaker.State.CLOSED) {
                    w.lostConnection().set(false);
                } else if (state != ConnectivityState.READY) {
                    w.lostConnection().set(true);
                }
                if (state == ConnectivityState.TRANSIENT_FAILURE) {
                    w.channel().resetConnectBackoff();
                } else if (state == ConnectivityState.IDLE && breaker != CircuitBreaker.State.CLOSED) {
                    w.channel().getState(true); // connect now, not on the trial call
                } else if (state == ConnectivityState.READY && breaker == CircuitBreaker.State.OPEN
                        && w.lostConnection().getAndSet(false)) {
                    w.breaker().halfOpenNow();
                }
            } catch (RuntimeException e) {
                LOG.warn("LLM worker {}: cannot check its channel: {}", w.target(), e.toString());
            }
        }
    }

    /** Parses "a:1,b:2" or "dns:///name:port" into targets; blank entries are an error. */
    public static List<String> parseTargets(String spec) {
        List<String> targets = new ArrayList<>();
        for (String part : spec.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) {
                throw new IllegalArgumentException("empty entry in the LLM worker list '" + spec + "'");
            }
            if (!t.contains("://") && !t.matches("[^:]+:\\d{1,5}")) {
                throw new IllegalArgumentException("LLM worker '" + t + "' is not host:port or dns:///name:port");
            }
            targets.add(t);
        }
        return targets;
    }

    /** Scores one request; the future fails with {@link LlmCallException} naming the reason. */
    public CompletableFuture<ScoreReply> score(ScoreRequest request) {
        CompletableFuture<ScoreReply> result = new CompletableFuture<>();
        attempt(request, 1, result, null);
        return result;
    }

    private void attempt(ScoreRequest request, int attempt, CompletableFuture<ScoreReply> result, Throwable last) {
        if (result.isDone()) {
            return;
        }
        Worker worker = pick();
        if (worker == null) {
            result.completeExceptionally(new LlmCallException(
                    last == null ? "circuit open on every worker" : "circuit open on every worker after " + describe(last), last));
            return;
        }
        ScoreBatchRequest batch = ScoreBatchRequest.newBuilder().addRequests(request).build();
        LlmScorerGrpc.LlmScorerFutureStub stub = worker.stub().withDeadlineAfter(callTimeoutMs, TimeUnit.MILLISECONDS);
        if (worker.breaker().state() == CircuitBreaker.State.HALF_OPEN) {
            // The trial call: reconnect now and wait for the connection (within the deadline)
            // instead of failing at once on a channel still in its reconnect backoff.
            worker.channel().resetConnectBackoff();
            stub = stub.withWaitForReady();
        }
        Futures.addCallback(
                stub.score(batch),
                new FutureCallback<ScoreBatchReply>() {
                    @Override
                    public void onSuccess(ScoreBatchReply reply) {
                        worker.breaker().onSuccess();
                        if (reply.getRepliesCount() != 1) {
                            result.completeExceptionally(new LlmCallException(
                                    worker.target() + " answered " + reply.getRepliesCount() + " replies to 1 request", null));
                        } else {
                            result.complete(reply.getReplies(0));
                        }
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        Status.Code code = Status.fromThrowable(t).getCode();
                        boolean transientError = TRANSIENT.contains(code);
                        if (transientError) {
                            lastFailures.put(worker.target(), describe(t));
                            worker.breaker().onFailure();
                        }
                        if (transientError && attempt < maxAttempts) {
                            long backoff = 10L * attempt;
                            retries.schedule(() -> attempt(request, attempt + 1, result, t), backoff, TimeUnit.MILLISECONDS);
                        } else {
                            result.completeExceptionally(new LlmCallException(worker.target() + ": " + describe(t), t));
                        }
                    }
                },
                MoreExecutors.directExecutor());
    }

    private static String describe(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            Status status = s.getStatus();
            return status.getCode() + (status.getDescription() == null ? "" : " " + status.getDescription());
        }
        return t.toString();
    }

    /** The next worker in round-robin order whose breaker lets a call through, or null. */
    private Worker pick() {
        int n = workers.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Worker w = workers.get((start + i) % n);
            if (w.breaker().tryAcquire()) {
                return w;
            }
        }
        return null;
    }

    /** Breaker states by target, for metrics and tests. */
    public List<String> describeWorkers() {
        List<String> out = new ArrayList<>();
        for (Worker w : workers) {
            out.add(w.target() + "=" + w.breaker().state());
        }
        return out;
    }

    /** The targets, in the order of {@link #breakerState(int)}. */
    public List<String> targets() {
        List<String> out = new ArrayList<>();
        for (Worker w : workers) {
            out.add(w.target());
        }
        return out;
    }

    /** The breaker state of the i-th target. */
    public CircuitBreaker.State breakerState(int i) {
        return workers.get(i).breaker().state();
    }

    /** How many workers have a closed (or half-open) breaker. */
    public int availableWorkers() {
        int n = 0;
        for (Worker w : workers) {
            if (w.breaker().state() != CircuitBreaker.State.OPEN) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() throws InterruptedException {
        retries.shutdownNow();
        for (Worker w : workers) {
            w.channel().shutdownNow();
        }
        for (Worker w : workers) {
            w.channel().awaitTermination(2, TimeUnit.SECONDS);
        }
    }
}
