package dev.duet.job.operators;

import dev.duet.job.model.RawRecord;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the parse step logs about rejected records, so that a stream of bad records is visible
 * without one line each: the first dead letter of every topic with where it is and why, then, while
 * more keep coming, one line per period with the count per topic and the last reason. Not
 * thread-safe (one per subtask, on its task thread).
 */
final class DeadLetterLog {

    static final long REPORT_EVERY_MS = 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(ParseEvents.class);

    private final int subtask;
    private final long periodMs;
    private final Map<String, Boolean> seenTopics = new TreeMap<>();
    private final Map<String, Long> sinceReport = new TreeMap<>();
    private String lastReason;
    private long periodStartMs = -1;

    DeadLetterLog(int subtask, long periodMs) {
        this.subtask = subtask;
        this.periodMs = periodMs;
    }

    /** Counts a rejected record; logs it when it is its topic's first (and then returns true). */
    boolean rejected(RawRecord record, String reason, long nowMs) {
        if (seenTopics.put(record.topic, Boolean.TRUE) == null) {
            LOG.warn("Dead letter (the first from {} in subtask {}): partition {} offset {}: {}; further ones are counted"
                            + " (metric deadLetters) and logged once a minute while they come",
                    record.topic, subtask, record.partition, record.offset, reason);
            return true;
        }
        if (periodStartMs < 0) {
            periodStartMs = nowMs;
        }
        sinceReport.merge(record.topic, 1L, Long::sum);
        lastReason = record.topic + " partition " + record.partition + " offset " + record.offset + ": " + reason;
        return false;
    }

    /** Logs the period's count when it is over; returns the line it logged, or null. */
    String reportIfDue(long nowMs) {
        if (periodStartMs < 0 || nowMs - periodStartMs < periodMs) {
            return null;
        }
        long total = sinceReport.values().stream().mapToLong(Long::longValue).sum();
        String line = total + " dead letters in the last " + (nowMs - periodStartMs) / 1000 + " s in subtask " + subtask
                + " (by topic: " + sinceReport + "); the last: " + lastReason;
        LOG.warn(line);
        sinceReport.clear();
        periodStartMs = -1;
        return line;
    }
}
