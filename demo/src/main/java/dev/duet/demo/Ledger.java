package dev.duet.demo;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's accounting: every input the broker acknowledged, and every output seen for it. An
 * interaction's output carries the input's {@code topic-partition-offset} as its id, a request's
 * output its request id, and a dead letter the bad record's topic, partition and offset; so each
 * input has exactly one key, and an output that arrives twice is a duplicate. Thread-safe: the
 * producer's callbacks and the output reader write it at the same time.
 */
public final class Ledger {

    private final Map<String, InputRecord.Kind> sent = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final AtomicInteger outputs = new AtomicInteger();
    private final AtomicInteger deadLetters = new AtomicInteger();

    public static String interactionKey(String topic, int partition, long offset) {
        return "interaction:" + topic + "-" + partition + "-" + offset;
    }

    public static String requestKey(String requestId) {
        return "request:" + requestId;
    }

    public static String deadLetterKey(String topic, int partition, long offset) {
        return "dead-letter:" + topic + "-" + partition + "-" + offset;
    }

    /** The key an acknowledged input is accounted under. */
    static String keyOf(InputRecord r, int partition, long offset) {
        return switch (r.kind()) {
            case INTERACTION -> interactionKey(r.topic(), partition, offset);
            case REQUEST -> requestKey(r.requestId());
            case BAD -> deadLetterKey(r.topic(), partition, offset);
        };
    }

    void sent(String key, InputRecord.Kind kind) {
        if (sent.putIfAbsent(key, kind) != null) {
            throw new IllegalStateException("two inputs share the key " + key);
        }
    }

    void recommendation(String key) {
        outputs.incrementAndGet();
        seen.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet();
    }

    void deadLetter(String key) {
        deadLetters.incrementAndGet();
        seen.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet();
    }

    int sentCount() {
        return sent.size();
    }

    int outputCount() {
        return outputs.get();
    }

    int deadLetterCount() {
        return deadLetters.get();
    }

    /** Snapshot of the accounting. */
    Accounts accounts() {
        int lost = 0;
        int accounted = 0;
        for (String key : sent.keySet()) {
            if (seen.containsKey(key)) {
                accounted++;
            } else {
                lost++;
            }
        }
        int duplicates = 0;
        int unexpected = 0;
        int distinctOutputs = 0;
        for (Map.Entry<String, AtomicInteger> e : seen.entrySet()) {
            duplicates += e.getValue().get() - 1;
            if (!sent.containsKey(e.getKey())) {
                unexpected++;
            } else if (!e.getKey().startsWith("dead-letter:")) {
                distinctOutputs++;
            }
        }
        return new Accounts(sent.size(), accounted, lost, duplicates, unexpected, distinctOutputs);
    }

    /**
     * @param inputs inputs acknowledged by the broker
     * @param accounted inputs with at least one output (or dead letter)
     * @param lost inputs with none
     * @param duplicates outputs beyond the first per key
     * @param unexpected output keys no input of this demo has (e.g. a user's own events with --keep-running)
     * @param distinctOutputs recommendation keys of demo inputs seen at least once
     */
    record Accounts(int inputs, int accounted, int lost, int duplicates, int unexpected, int distinctOutputs) {}
}
