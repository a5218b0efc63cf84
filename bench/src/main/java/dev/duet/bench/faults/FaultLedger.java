package dev.duet.bench.faults;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fault suite's accounting: every input the broker acknowledged, under the key its output
 * carries (the demo's {@link dev.duet.demo.Ledger} keys) with the phase it was written in; and for
 * every key the outputs seen (count, the first one's route and the time the job ingested its
 * input). Thread-safe: the producer's callbacks and the output reader write it at the same time.
 */
public final class FaultLedger {

    private static final class Output {
        int count;
        String route;
        String fallbackReason;
        long ingestMs;
    }

    private final Map<String, String> inputs = new HashMap<>();
    private final Map<String, Output> outputs = new HashMap<>();
    private int deadLetters;

    synchronized void sent(String key, String phase) {
        if (inputs.putIfAbsent(key, phase) != null) {
            throw new IllegalStateException("two inputs share the key " + key);
        }
    }

    /** An output record for {@code key}; the job ingested its input at {@code ingestMs} (its clock). */
    synchronized void output(String key, String route, String fallbackReason, long ingestMs) {
        Output o = outputs.computeIfAbsent(key, k -> new Output());
        if (o.count++ == 0) {
            o.route = route;
            o.fallbackReason = fallbackReason;
            o.ingestMs = ingestMs;
        }
    }

    synchronized void deadLetter() {
        deadLetters++;
    }

    synchronized int inputs() {
        return inputs.size();
    }

    synchronized int deadLetters() {
        return deadLetters;
    }

    /** Acknowledged inputs without any output yet. */
    synchronized int pending() {
        int n = 0;
        for (String key : inputs.keySet()) {
            if (!outputs.containsKey(key)) {
                n++;
            }
        }
        return n;
    }

    /** Whether {@code key} has an output. */
    synchronized boolean answered(String key) {
        return outputs.containsKey(key);
    }

    /** Output keys of no input (e.g. read before the input's acknowledgement; final only at the end). */
    synchronized int unexpected() {
        int n = 0;
        for (String key : outputs.keySet()) {
            if (!inputs.containsKey(key)) {
                n++;
            }
        }
        return n;
    }

    /**
     * The earliest ingest time, at or after {@code fromMs}, of an input whose (first) output took
     * route {@code route}, or of any input when {@code route} is null.
     */
    synchronized OptionalLong firstIngestAtOrAfter(long fromMs, String route) {
        long best = Long.MAX_VALUE;
        for (Output o : outputs.values()) {
            if (o.ingestMs >= fromMs && o.ingestMs < best && (route == null || route.equals(o.route))) {
                best = o.ingestMs;
            }
        }
        return best == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(best);
    }

    /** The accounts of the inputs written during {@code phase}. */
    synchronized Counts counts(String phase) {
        int in = 0;
        int out = 0;
        int lost = 0;
        int duplicates = 0;
        int fallbacks = 0;
        int llm = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        for (Map.Entry<String, String> e : inputs.entrySet()) {
            if (!e.getValue().equals(phase)) {
                continue;
            }
            in++;
            Output o = outputs.get(e.getKey());
            if (o == null) {
                lost++;
                continue;
            }
            out += o.count;
            duplicates += o.count - 1;
            if ("fallback".equals(o.route)) {
                fallbacks++;
                reasons.merge(reasonKind(o.fallbackReason), 1, Integer::sum);
            } else if ("llm".equals(o.route)) {
                llm++;
            }
        }
        return new Counts(in, out, lost, duplicates, fallbacks, llm, reasons);
    }

    private static final Pattern STATUS_CODE = Pattern.compile("\\b(UNAVAILABLE|DEADLINE_EXCEEDED|RESOURCE_EXHAUSTED|CANCELLED"
            + "|UNKNOWN|INTERNAL|INVALID_ARGUMENT|FAILED_PRECONDITION|ABORTED|UNIMPLEMENTED)\\b");

    /**
     * A fallback reason without its details: "timeout", "circuit open on every worker", or the
     * gRPC status code it names (e.g. DEADLINE_EXCEEDED); else its first 60 characters.
     */
    static String reasonKind(String reason) {
        if (reason == null || reason.isBlank()) {
            return "unknown";
        }
        if (reason.startsWith("circuit open on every worker")) {
            return "circuit open on every worker";
        }
        Matcher code = STATUS_CODE.matcher(reason);
        if (code.find()) {
            return code.group(1);
        }
        return reason.length() <= 60 ? reason : reason.substring(0, 60);
    }

    /**
     * @param in inputs acknowledged by the broker
     * @param out output records of those inputs (duplicates included)
     * @param lost inputs without an output
     * @param duplicates outputs beyond the first per input
     * @param fallbacks inputs whose output took route fallback
     * @param llm inputs whose output took route llm
     * @param fallbackReasons fallbacks by the kind of their reason (timeout, a gRPC status code, ...)
     */
    public record Counts(int in, int out, int lost, int duplicates, int fallbacks, int llm, Map<String, Integer> fallbackReasons) {}
}
