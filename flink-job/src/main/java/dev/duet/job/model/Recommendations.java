package dev.duet.job.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns an answered task into the JSON record of the {@code recommendations} topic (docs/topics.md). */
public final class Recommendations {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Recommendations() {}

    public static String toJson(ScoringTask t, long nowMs) {
        int n = t.candidateCount();
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        float[] fin = t.finalScores == null ? t.crmScores : t.finalScores;
        Arrays.sort(idx, (a, b) -> Float.compare(fin[b], fin[a]));
        int k = Math.min(n, Math.max(1, t.k));
        List<String> items = new ArrayList<>(k);
        List<Float> scores = new ArrayList<>(k);
        List<Float> crm = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            items.add(t.candidates[idx[i]].itemId);
            scores.add(fin[idx[i]]);
            crm.add(t.crmScores[idx[i]]);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", t.isInteraction() ? "interaction" : "request");
        m.put("id", t.id);
        m.put("user", t.userId);
        m.put("items", items);
        m.put("scores", scores);
        m.put("crm_scores", crm);
        m.put("route", t.route);
        m.put("crm_model_version", t.crmModelVersion);
        m.put("llm_model_version", t.llmModelVersion);
        m.put("crm_entropy", t.entropy);
        m.put("gate", t.gate);
        m.put("event_time", t.timestampMs);
        m.put("latency_ms", Math.max(0, nowMs - t.ingestMs));
        if (t.llmModelVersion != null) {
            m.put("llm_latency_ms", t.llmLatencyMs);
        }
        if (t.isInteraction()) {
            m.put("label", t.label);
            m.put("rating", t.rating);
        }
        if (t.fallbackReason != null) {
            m.put("fallback_reason", t.fallbackReason);
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
