package dev.duet.job.llm;

import java.util.function.LongSupplier;

/**
 * A worker's circuit breaker: closed until {@code failureThreshold} consecutive failures, then open
 * (calls rejected without trying) for {@code openMs}, then half-open: one trial call, whose success
 * closes it and whose failure opens it again. Thread-safe.
 */
public final class CircuitBreaker {

    /** The breaker's state; {@link #code()} is its number on the dashboard. */
    public enum State {
        CLOSED(0),
        HALF_OPEN(1),
        OPEN(2);

        private final int code;

        State(int code) {
            this.code = code;
        }

        /** 0 closed, 1 half-open (one trial call allowed), 2 open. */
        public int code() {
            return code;
        }
    }

    /** Told when the breaker opens after being closed and when it closes again: once per outage. */
    public interface Listener {
        void opened(int consecutiveFailures);

        void closed(long unavailableMs);

        Listener NONE = new Listener() {
            @Override
            public void opened(int consecutiveFailures) {}

            @Override
            public void closed(long unavailableMs) {}
        };
    }

    private final int failureThreshold;
    private final long openMs;
    private final LongSupplier clock;
    private final Listener listener;

    private State state = State.CLOSED;
    private int failures;
    private long openedAtMs;
    private boolean trialInFlight;
    /** When the current outage began (the breaker left CLOSED); for the closing log line. */
    private long firstOpenedAtMs;

    public CircuitBreaker(int failureThreshold, long openMs, LongSupplier clock) {
        this(failureThreshold, openMs, clock, Listener.NONE);
    }

    public CircuitBreaker(int failureThreshold, long openMs, LongSupplier clock, Listener listener) {
        if (failureThreshold < 1 || openMs < 0) {
            throw new IllegalArgumentException("breaker needs a positive failure threshold and a non-negative open time");
        }
        this.failureThreshold = failureThreshold;
        this.openMs = openMs;
        this.clock = clock;
        this.listener = listener;
    }

    /** Whether a call may go through now (in half-open state only one trial at a time). */
    public synchronized boolean tryAcquire() {
        if (state == State.OPEN && clock.getAsLong() - openedAtMs >= openMs) {
            state = State.HALF_OPEN;
            trialInFlight = false;
        }
        switch (state) {
            case CLOSED:
                return true;
            case HALF_OPEN:
                if (trialInFlight) {
                    return false;
                }
                trialInFlight = true;
                return true;
            default:
                return false;
        }
    }

    public void onSuccess() {
        long unavailableMs = -1;
        synchronized (this) {
            if (state != State.CLOSED) {
                unavailableMs = clock.getAsLong() - firstOpenedAtMs;
            }
            state = State.CLOSED;
            failures = 0;
            trialInFlight = false;
        }
        if (unavailableMs >= 0) {
            listener.closed(unavailableMs);
        }
    }

    public void onFailure() {
        int openedAfter = -1;
        synchronized (this) {
            failures++;
            if (state == State.HALF_OPEN || (state == State.CLOSED && failures >= failureThreshold)) {
                if (state == State.CLOSED) {
                    firstOpenedAtMs = clock.getAsLong();
                    openedAfter = failures;
                }
                state = State.OPEN;
                openedAtMs = clock.getAsLong();
                trialInFlight = false;
            }
        }
        if (openedAfter > 0) {
            listener.opened(openedAfter);
        }
    }

    /**
     * Lets the next call through as a trial now rather than when the open time ends: the worker's
     * connection is ready again, so waiting out the open time would only delay the recovery.
     */
    public synchronized void halfOpenNow() {
        if (state == State.OPEN) {
            openedAtMs = clock.getAsLong() - openMs;
        }
    }

    public synchronized State state() {
        if (state == State.OPEN && clock.getAsLong() - openedAtMs >= openMs) {
            return State.HALF_OPEN;
        }
        return state;
    }
}
