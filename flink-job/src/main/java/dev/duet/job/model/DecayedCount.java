package dev.duet.job.model;

import java.time.Duration;

/**
 * A count that halves every half-life of event time: its value {@link #count} as of {@link #atMs}.
 * Item popularity is kept and broadcast in this form, so a reader can bring it to any later time.
 */
public class DecayedCount {
    public double count;
    public long atMs;

    public DecayedCount() {}

    public DecayedCount(double count, long atMs) {
        this.count = count;
        this.atMs = atMs;
    }

    /** The value at {@code timeMs}: decayed when later, as it is when earlier (no growth backwards). */
    public double valueAt(long timeMs, long halfLifeMs) {
        return timeMs <= atMs ? count : count * decay(timeMs - atMs, halfLifeMs);
    }

    /** A configured half-life in milliseconds; refuses what is not positive. */
    public static long halfLifeMs(Duration halfLife) {
        if (halfLife.isNegative() || halfLife.isZero()) {
            throw new IllegalArgumentException("popularity half-life must be positive");
        }
        return halfLife.toMillis();
    }

    public static double decay(long elapsedMs, long halfLifeMs) {
        return Math.pow(0.5, (double) elapsedMs / halfLifeMs);
    }
}
