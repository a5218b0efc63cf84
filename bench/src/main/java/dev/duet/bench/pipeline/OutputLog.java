package dev.duet.bench.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outputs of one phase: for every record its input (an {@link OutputKey}), its broker append
 * time, when the benchmark's read_committed consumer received it, the job's own latency field
 * and its route; and the accounting against the inputs (duplicates, outputs of unknown inputs,
 * lost inputs). Written by one consumer thread; read after it stopped, or through the
 * synchronized counters while it runs.
 */
final class OutputLog {

    private static final JsonFactory JSON = new JsonFactory();

    private final String interactionsTopic;
    private final LongList keys = new LongList();
    private final LongList appendMs = new LongList();
    private final LongList receiptMs = new LongList();
    private final LongList inJobMs = new LongList();
    private final LongList routeCodes = new LongList();
    private final List<String> routes = new ArrayList<>();
    private final BitSet[] seenInteractions;
    private final BitSet seenRequests = new BitSet();
    private long duplicates;
    private long unknown;
    private long unreadable;
    private long deadLetters;

    OutputLog(String interactionsTopic, int partitions) {
        this.interactionsTopic = interactionsTopic;
        seenInteractions = new BitSet[partitions];
        for (int p = 0; p < partitions; p++) {
            seenInteractions[p] = new BitSet();
        }
    }

    /** One record of the output topic. */
    synchronized void add(String value, long appendTimeMs, long receivedMs) {
        String kind = null;
        String id = null;
        String route = "none";
        long latency = -1;
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                unreadable++;
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "kind" -> kind = p.getText();
                    case "id" -> id = p.getText();
                    case "route" -> route = p.getText();
                    case "latency_ms" -> latency = t.isNumeric() ? p.getLongValue() : -1;
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            unreadable++;
            return;
        }
        OutputKey key = id == null ? null : OutputKey.parse(kind, id, interactionsTopic);
        if (key == null || (!key.request() && key.partition() >= seenInteractions.length) || key.index() > Integer.MAX_VALUE) {
            unknown++;
            return;
        }
        BitSet seen = key.request() ? seenRequests : seenInteractions[key.partition()];
        if (seen.get((int) key.index())) {
            duplicates++;
        }
        seen.set((int) key.index());
        keys.add(key.pack());
        appendMs.add(appendTimeMs);
        receiptMs.add(receivedMs);
        inJobMs.add(latency);
        int code = routes.indexOf(route);
        if (code < 0) {
            routes.add(route);
            code = routes.size() - 1;
        }
        routeCodes.add(code);
    }

    synchronized void deadLetter() {
        deadLetters++;
    }

    synchronized int size() {
        return keys.size();
    }

    synchronized long deadLetters() {
        return deadLetters;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    /** Outputs naming no input of this phase, plus outputs that were not JSON. */
    synchronized long unknown() {
        return unknown + unreadable;
    }

    /** Inputs of {@code inputs} without any output. */
    synchronized long lost(InputLog inputs) {
        long lost = 0;
        for (int p = 0; p < inputs.partitions(); p++) {
            int slots = inputs.interactionSlots(p);
            for (int o = 0; o < slots; o++) {
                if (inputs.appendTime(new OutputKey(false, p, o)) != InputLog.MISSING && !seenInteractions[p].get(o)) {
                    lost++;
                }
            }
        }
        for (int r = 0; r < inputs.requestSlots(); r++) {
            if (inputs.appendTime(new OutputKey(true, 0, r)) != InputLog.MISSING && !seenRequests.get(r)) {
                lost++;
            }
        }
        return lost;
    }

    /** Output records per route. */
    synchronized Map<String, Long> routeCounts() {
        long[] counts = new long[routes.size()];
        for (int i = 0; i < routeCodes.size(); i++) {
            counts[(int) routeCodes.get(i)]++;
        }
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            m.put(routes.get(i), counts[i]);
        }
        return m;
    }

    /** Broker append times of every output, in arrival order. */
    synchronized long[] appendTimes() {
        return appendMs.toArray();
    }

    /** One output joined with its input. */
    record Joined(long inputAppendMs, long outputAppendMs, long receivedMs, long inJobMs, String route) {}

    /** Every output whose input was appended at or after {@code fromMs}, with its input's append time. */
    synchronized List<Joined> joined(InputLog inputs, long fromMs) {
        List<Joined> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            long in = inputs.appendTime(OutputKey.unpack(keys.get(i)));
            if (in != InputLog.MISSING && in >= fromMs) {
                out.add(new Joined(in, appendMs.get(i), receiptMs.get(i), inJobMs.get(i), routes.get((int) routeCodes.get(i))));
            }
        }
        return out;
    }
}
