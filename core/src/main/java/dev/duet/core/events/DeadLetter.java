package dev.duet.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A record that could not be parsed or validated, as written to the {@code dead-letters} topic:
 * where it came from, why it was rejected, and the record itself (truncated).
 *
 * @param topic the source topic
 * @param partition the source partition
 * @param offset the record's offset
 * @param reason why the record was rejected, naming the field
 * @param payload the record's value as text (at most {@link #MAX_PAYLOAD} characters)
 * @param rejectedAtMs when the job rejected it, epoch milliseconds
 */
public record DeadLetter(String topic, int partition, long offset, String reason, String payload, long rejectedAtMs) {

    /** Longest payload kept; longer ones are cut and marked. */
    public static final int MAX_PAYLOAD = 8192;

    private static final ObjectMapper JSON = new ObjectMapper();

    public DeadLetter {
        if (payload != null && payload.length() > MAX_PAYLOAD) {
            payload = payload.substring(0, MAX_PAYLOAD) + "...[truncated]";
        }
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topic", topic);
        m.put("partition", partition);
        m.put("offset", offset);
        m.put("reason", reason);
        m.put("payload", payload);
        m.put("rejected_at", rejectedAtMs);
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
