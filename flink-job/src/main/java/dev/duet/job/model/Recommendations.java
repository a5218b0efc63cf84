package dev.duet.job.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Turns an answered task into the JSON record of the {@code recommendations} topic (docs/topics.md).
 * Written with Jackson's streaming generator, field by field: the same JSON as a map through an
 * ObjectMapper, without building and boxing a map of lists for every record (that was about a
 * tenth of the CRM-only job's execution samples in bench pipeline).
 */
public final class Recommendations {

    /**
     * Numbers through Jackson's Schubfach writer: the shortest text that reads back as the same
     * float or double. JDK 17's Float.toString, which Jackson uses otherwise, was 3 % of the
     * CRM-only job's execution samples in bench pipeline (top frame FloatingDecimal.dtoa).
     */
    static final JsonFactory JSON = JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private Recommendations() {}

    public static String toJson(ScoringTask t, long nowMs) {
        int n = t.candidateCount();
        float[] fin = t.finalScores == null ? t.crmScores : t.finalScores;
        int k = Math.min(n, Math.max(1, t.k));
        int[] best = TopK.indices(fin, n, k);
        StringWriter text = new StringWriter(256 + 32 * k);
        try (JsonGenerator g = JSON.createGenerator(text)) {
            g.writeStartObject();
            g.writeStringField("kind", t.isInteraction() ? "interaction" : "request");
            g.writeStringField("id", t.id);
            g.writeStringField("user", t.userId);
            g.writeArrayFieldStart("items");
            for (int i : best) {
                g.writeString(t.candidates[i].itemId);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("scores");
            for (int i : best) {
                g.writeNumber(fin[i]);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("crm_scores");
            for (int i : best) {
                g.writeNumber(t.crmScores[i]);
            }
            g.writeEndArray();
            g.writeStringField("route", t.route);
            g.writeStringField("crm_model_version", t.crmModelVersion);
            g.writeStringField("llm_model_version", t.llmModelVersion);
            g.writeStringField("retrieval", t.retrievalSource);
            g.writeStringField("retrieval_model_version", t.retrievalModelVersion);
            if (t.shadowPopularityItems != null) {
                stringArray(g, "popularity_items", t.shadowPopularityItems);
            }
            if (t.retrievedItems != null) {
                stringArray(g, "retrieved_items", t.retrievedItems);
            }
            g.writeNumberField("crm_entropy", t.entropy);
            g.writeNumberField("gate", t.gate);
            g.writeNumberField("event_time", t.timestampMs);
            g.writeNumberField("user_interactions", t.userInteractions);
            g.writeNumberField("latency_ms", Math.max(0, nowMs - t.ingestMs));
            if (t.llmModelVersion != null) {
                g.writeNumberField("llm_latency_ms", t.llmLatencyMs);
            }
            if (t.isInteraction()) {
                g.writeNumberField("label", t.label);
                g.writeNumberField("rating", t.rating);
            }
            if (t.fallbackReason != null) {
                g.writeStringField("fallback_reason", t.fallbackReason);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void stringArray(JsonGenerator g, String field, String[] values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
