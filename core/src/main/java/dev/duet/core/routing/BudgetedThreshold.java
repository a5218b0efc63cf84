package dev.duet.core.routing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A routing budget whose threshold adapts to the stream: at most a share of the samples (and,
 * optionally, at most a rate per second) may go to the LLM, and the hardest ones should.
 *
 * <p>Two mechanisms work together. A streaming quantile picks the threshold: an exponentially
 * decayed histogram of the hardness scores of all offered samples (half-life in samples), whose
 * {@code 1 - share} quantile is the threshold, so it follows drift in the score distribution. A
 * token bucket makes the bound hard: every offered sample adds {@code share} tokens (capped at
 * {@code burst}), a routed sample costs one, and the bucket starts empty, so after n samples at
 * most {@code share * n} were routed whatever the scores do. The optional rate limit is a second
 * bucket refilled in processing time.
 *
 * <p>Not thread-safe: one instance per operator subtask. Its state survives a restart through
 * {@link #snapshot()} and {@link #restore(byte[])}.
 */
public final class BudgetedThreshold {

    private static final int FORMAT = 1;

    private final double share;
    private final double burst;
    private final double maxPerSecond;
    private final double decayPerSample;
    private final double[] bins;

    private double scale = 1;
    private double total;
    private double tokens;
    private double rateTokens;
    private long lastRefillMs = Long.MIN_VALUE;
    private long offered;
    private long routed;

    /**
     * @param share the largest share of samples that may be routed, in (0, 1]
     * @param burst the most share tokens that may accumulate (at least 1)
     * @param maxPerSecond the most samples routed per second by this instance, 0 for no limit
     * @param halfLifeSamples after how many samples a score weighs half in the quantile
     * @param bins histogram resolution over [0, 1]
     */
    public BudgetedThreshold(double share, double burst, double maxPerSecond, int halfLifeSamples, int bins) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("budget share must be in (0, 1], got " + share);
        }
        if (!(burst >= 1)) {
            throw new IllegalArgumentException("budget burst must be at least 1, got " + burst);
        }
        if (!(maxPerSecond >= 0)) {
            throw new IllegalArgumentException("budget rate must not be negative, got " + maxPerSecond);
        }
        if (halfLifeSamples < 1 || bins < 2) {
            throw new IllegalArgumentException("half-life and bins must be positive");
        }
        this.share = share;
        this.burst = burst;
        this.maxPerSecond = maxPerSecond;
        this.decayPerSample = Math.pow(2, 1.0 / halfLifeSamples);
        this.bins = new double[bins];
    }

    /** A budget of {@code share} with a burst of 20, no rate limit, half-life 5000, 1000 bins. */
    public static BudgetedThreshold ofShare(double share) {
        return new BudgetedThreshold(share, 20, 0, 5000, 1000);
    }

    /**
     * Offers one sample of hardness {@code score} in [0, 1] (0 for samples that are never routed)
     * and says whether it goes to the LLM.
     */
    public boolean offer(double score, long nowMs) {
        double s = Math.min(1, Math.max(0, Double.isNaN(score) ? 0 : score));
        observe(s);
        offered++;
        tokens = Math.min(burst, tokens + share);
        refillRate(nowMs);
        if (s <= 0 || s < threshold() || tokens < 1 || (maxPerSecond > 0 && rateTokens < 1)) {
            return false;
        }
        tokens -= 1;
        if (maxPerSecond > 0) {
            rateTokens -= 1;
        }
        routed++;
        return true;
    }

    private void observe(double s) {
        // Decay by growing the weight of new samples instead of shrinking all bins.
        scale *= decayPerSample;
        if (scale > 1e200) {
            for (int i = 0; i < bins.length; i++) {
                bins[i] /= scale;
            }
            total /= scale;
            scale = 1;
        }
        int bin = Math.min(bins.length - 1, (int) (s * bins.length));
        bins[bin] += scale;
        total += scale;
    }

    private void refillRate(long nowMs) {
        if (maxPerSecond <= 0) {
            return;
        }
        if (lastRefillMs == Long.MIN_VALUE) {
            lastRefillMs = nowMs;
            rateTokens = Math.min(1, maxPerSecond);
            return;
        }
        long elapsed = Math.max(0, nowMs - lastRefillMs);
        lastRefillMs = nowMs;
        rateTokens = Math.min(Math.max(1, maxPerSecond), rateTokens + elapsed * maxPerSecond / 1000.0);
    }

    /**
     * The current threshold: the lower edge of the histogram bin where the decayed mass counted from
     * the top first exceeds {@code share} of the total. Ties at the threshold are routed (the token
     * bucket keeps the bound), so a stream of equal scores still gets its share.
     */
    public double threshold() {
        if (total <= 0) {
            return 1;
        }
        double allowed = share * total;
        double above = 0;
        for (int i = bins.length - 1; i >= 0; i--) {
            if (above + bins[i] > allowed) {
                return (double) i / bins.length;
            }
            above += bins[i];
        }
        return 0;
    }

    public long offered() {
        return offered;
    }

    public long routed() {
        return routed;
    }

    /** Routed share since the start (or the restore). */
    public double routedShare() {
        return offered == 0 ? 0 : (double) routed / offered;
    }

    public double share() {
        return share;
    }

    /** The state as bytes, for a checkpoint. */
    public byte[] snapshot() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(bins.length * 8 + 64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(FORMAT);
            out.writeInt(bins.length);
            for (double b : bins) {
                out.writeDouble(b / scale);
            }
            out.writeDouble(total / scale);
            out.writeDouble(tokens);
            out.writeDouble(rateTokens);
            out.writeLong(lastRefillMs);
            out.writeLong(offered);
            out.writeLong(routed);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Restores a {@link #snapshot()}; a snapshot of another resolution is rejected. */
    public void restore(byte[] snapshot) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            if (in.readInt() != FORMAT) {
                throw new IllegalArgumentException("unknown budget snapshot format");
            }
            int n = in.readInt();
            if (n != bins.length) {
                throw new IllegalArgumentException("budget snapshot has " + n + " bins, expected " + bins.length);
            }
            for (int i = 0; i < n; i++) {
                bins[i] = in.readDouble();
            }
            scale = 1;
            total = in.readDouble();
            tokens = in.readDouble();
            rateTokens = in.readDouble();
            lastRefillMs = in.readLong();
            offered = in.readLong();
            routed = in.readLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
