package dev.duet.worker.internal;

import dev.duet.proto.v1.Error;
import dev.duet.proto.v1.LlmScorerGrpc;
import dev.duet.proto.v1.ScoreBatchReply;
import dev.duet.proto.v1.ScoreBatchRequest;
import dev.duet.proto.v1.ScoreReply;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Timings;
import dev.duet.worker.InvalidRequestException;
import dev.duet.worker.ScoringBackend;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;

/**
 * duet.v1.LlmScorer: validates each request, enforces deadlines, and hands work to the
 * {@link DynamicBatcher}. Unary Score fails as a whole (one status); ScoreStream answers each
 * request on its own and keeps the stream open.
 */
public final class LlmScorerService extends LlmScorerGrpc.LlmScorerImplBase {

    private final ScoringBackend backend;
    private final RequestValidator validator;
    private final DynamicBatcher batcher;
    private final WorkerMetrics metrics;

    public LlmScorerService(ScoringBackend backend, RequestValidator validator,
            DynamicBatcher batcher, WorkerMetrics metrics) {
        this.backend = backend;
        this.validator = validator;
        this.batcher = batcher;
        this.metrics = metrics;
    }

    @Override
    public void score(ScoreBatchRequest call, StreamObserver<ScoreBatchReply> out) {
        int n = call.getRequestsCount();
        metrics.request("Score", n);
        if (n == 0) {
            fail(out, Status.INVALID_ARGUMENT.withDescription("requests is empty"), 1);
            return;
        }
        long now = System.nanoTime();
        long callDeadline = callDeadline(now);
        for (ScoreRequest r : call.getRequestsList()) {
            Status invalid = check(r);
            if (invalid != null) {
                fail(out, invalid, n);
                return;
            }
            if (deadline(r, now, callDeadline) <= now) {
                fail(out, expired(r), n);
                return;
            }
        }
        AtomicReferenceArray<ScoreReply> replies = new AtomicReferenceArray<>(n);
        AtomicInteger remaining = new AtomicInteger(n);
        AtomicBoolean done = new AtomicBoolean();
        BooleanSupplier cancelled = Context.current()::isCancelled;
        List<DynamicBatcher.Pending> pending = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ScoreRequest r = call.getRequests(i);
            int index = i;
            pending.add(new DynamicBatcher.Pending(r, now, deadline(r, now, callDeadline),
                    cancelled, new DynamicBatcher.Callback() {
                        @Override
                        public void onScores(float[] scores, Timings timings) {
                            metrics.reply(timings.getTotalUs() / 1e6);
                            replies.set(index, reply(r, scores, timings));
                            if (remaining.decrementAndGet() == 0 && done.compareAndSet(false, true)) {
                                ScoreBatchReply.Builder b = ScoreBatchReply.newBuilder();
                                for (int k = 0; k < n; k++) {
                                    b.addReplies(replies.get(k));
                                }
                                out.onNext(b.build());
                                out.onCompleted();
                            }
                        }

                        @Override
                        public void onError(Status status) {
                            metrics.error(status.getCode());
                            if (done.compareAndSet(false, true)) {
                                out.onError(status.asRuntimeException());
                            }
                        }
                    }));
        }
        Status queued = batcher.offer(pending);
        if (!queued.isOk()) {
            fail(out, queued, n);
        }
    }

    @Override
    public StreamObserver<ScoreRequest> scoreStream(StreamObserver<ScoreReply> rawOut) {
        ServerCallStreamObserver<ScoreReply> out = (ServerCallStreamObserver<ScoreReply>) rawOut;
        AtomicInteger inFlight = new AtomicInteger();
        AtomicBoolean halfClosed = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        Runnable finishIfDone = () -> {
            if (halfClosed.get() && inFlight.get() == 0 && finished.compareAndSet(false, true)) {
                synchronized (out) {
                    out.onCompleted();
                }
            }
        };
        BooleanSupplier cancelled = out::isCancelled;
        return new StreamObserver<>() {
            @Override
            public void onNext(ScoreRequest r) {
                metrics.request("ScoreStream", 1);
                long now = System.nanoTime();
                Status invalid = check(r);
                long deadline = deadline(r, now, callDeadline(now));
                if (invalid == null && deadline <= now) {
                    invalid = expired(r);
                }
                if (invalid != null) {
                    metrics.error(invalid.getCode());
                    send(errorReply(r, invalid));
                    return;
                }
                inFlight.incrementAndGet();
                Status queued = batcher.offer(List.of(new DynamicBatcher.Pending(r, now, deadline,
                        cancelled, new DynamicBatcher.Callback() {
                            @Override
                            public void onScores(float[] scores, Timings timings) {
                                metrics.reply(timings.getTotalUs() / 1e6);
                                send(reply(r, scores, timings));
                                inFlight.decrementAndGet();
                                finishIfDone.run();
                            }

                            @Override
                            public void onError(Status status) {
                                metrics.error(status.getCode());
                                send(errorReply(r, status));
                                inFlight.decrementAndGet();
                                finishIfDone.run();
                            }
                        })));
                if (!queued.isOk()) {
                    metrics.error(queued.getCode());
                    send(errorReply(r, queued));
                    inFlight.decrementAndGet();
                }
            }

            @Override
            public void onError(Throwable t) {
                // The caller went away; queued requests see isCancelled() and are dropped.
                finished.set(true);
            }

            @Override
            public void onCompleted() {
                halfClosed.set(true);
                finishIfDone.run();
            }

            private void send(ScoreReply reply) {
                synchronized (out) {
                    if (!finished.get() && !out.isCancelled()) {
                        out.onNext(reply);
                    }
                }
            }
        };
    }

    /** INVALID_ARGUMENT naming the request and field, or null when the request is fine. */
    private Status check(ScoreRequest r) {
        try {
            validator.validate(r);
            backend.validate(r);
            return null;
        } catch (InvalidRequestException e) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        }
    }

    private static Status expired(ScoreRequest r) {
        return Status.DEADLINE_EXCEEDED.withDescription("request '" + r.getRequestId()
                + "': deadline passed before it reached the worker; dropped");
    }

    private static long callDeadline(long now) {
        Deadline d = Context.current().getDeadline();
        return d == null ? Long.MAX_VALUE : now + d.timeRemaining(TimeUnit.NANOSECONDS);
    }

    /** The earlier of the request's own deadline (epoch ms) and the RPC's, as a nanoTime. */
    private static long deadline(ScoreRequest r, long now, long callDeadline) {
        if (r.getDeadlineMs() <= 0) {
            return callDeadline;
        }
        long leftMs = r.getDeadlineMs() - System.currentTimeMillis();
        long own = leftMs <= 0 ? now : now + TimeUnit.MILLISECONDS.toNanos(leftMs);
        return Math.min(own, callDeadline);
    }

    private void fail(StreamObserver<?> out, Status status, int requests) {
        for (int i = 0; i < requests; i++) {
            metrics.error(status.getCode());
        }
        out.onError(status.asRuntimeException());
    }

    private ScoreReply reply(ScoreRequest r, float[] scores, Timings timings) {
        ScoreReply.Builder b = ScoreReply.newBuilder()
                .setRequestId(r.getRequestId())
                .setModelName(backend.modelName())
                .setModelVersion(backend.modelVersion())
                .setTimings(timings);
        for (float s : scores) {
            b.addScores(s);
        }
        return b.build();
    }

    private ScoreReply errorReply(ScoreRequest r, Status status) {
        return ScoreReply.newBuilder()
                .setRequestId(r.getRequestId())
                .setModelName(backend.modelName())
                .setModelVersion(backend.modelVersion())
                .setError(Error.newBuilder().setCode(status.getCode().name())
                        .setMessage(status.getDescription() == null ? "" : status.getDescription()))
                .build();
    }
}
