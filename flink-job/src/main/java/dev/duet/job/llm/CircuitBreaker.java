package dev.duet.job.llm;

import java.util.function.LongSupplier;

/**
 * A worker's circuit breaker: closed until {@code failureThreshold} consecutive failures, then open
 * (calls rejected without trying) for {@code openMs}, then half-open: one trial call, whose success
 * closes it and whose failure opens it again. Thread-safe.
 */
public final class CircuitBreaker {

    /** The breaker's state. */
    public enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    private final int failureThreshold;
    private final long openMs;
    private final LongSupplier clock;

    private State state = State.CLOSED;
    private int failures;
    private long openedAtMs;
    private boolean trialInFlight;

    public CircuitBreaker(int failureThreshold, long openMs, LongSupplier clock) {
        if (failureThreshold < 1 || openMs < 0) {
            throw new IllegalArgumentException("breaker needs a positive failure threshold and a non-negative open time");
        }
        this.failureThreshold = failureThreshold;
        this.openMs = openMs;
        this.clock = clock;
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

    public synchronized void onSuccess() {
        state = State.CLOSED;
        failures = 0;
        trialInFlight = false;
    }

    public synchronized void onFailure() {
        failures++;
        if (state == State.HALF_OPEN || failures >= failureThreshold) {
            state = State.OPEN;
            openedAtMs = clock.getAsLong();
            trialInFlight = false;
        }
    }

    public synchronized State state() {
        if (state == State.OPEN && clock.getAsLong() - openedAtMs >= openMs) {
            return State.HALF_OPEN;
        }
        return state;
    }
}
