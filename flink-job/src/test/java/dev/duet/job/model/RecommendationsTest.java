package dev.duet.job.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecommendationsTest {

    /** The same number writer as the streaming version (the shortest text that reads back equal). */
    private static final ObjectMapper JSON = new ObjectMapper(Recommendations.JSON);

    /** Numbers as decimals, so that each is read from its own text, not through a double. */
    private static final ObjectMapper DECIMALS = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** The record as a map through an ObjectMapper: the plain version the streaming writer replaces. */
    private static String reference(ScoringTask t, long nowMs) throws Exception {
        int n = t.candidateCount();
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        float[] fin = t.finalScores == null ? t.crmScores : t.finalScores;
        Arrays.sort(idx, (a, b) -> Float.compare(fin[b], fin[a]));
        int k = Math.min(n, Math.max(1, t.k));
        List<String> items = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Float> crm = new ArrayList<>();
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
        m.put("retrieval", t.retrievalSource);
        m.put("retrieval_model_version", t.retrievalModelVersion);
        if (t.shadowPopularityItems != null) {
            m.put("popularity_items", List.of(t.shadowPopularityItems));
        }
        if (t.retrievedItems != null) {
            m.put("retrieved_items", List.of(t.retrievedItems));
        }
        m.put("crm_entropy", t.entropy);
        m.put("gate", t.gate);
        m.put("event_time", t.timestampMs);
        m.put("user_interactions", t.userInteractions);
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
        return JSON.writeValueAsString(m);
    }

    private static ScoringTask task(Random random, boolean interaction) {
        ScoringTask t = new ScoringTask();
        t.kind = interaction ? EventKind.INTERACTION : EventKind.REQUEST;
        t.id = interaction ? "interactions-1-" + random.nextInt(1000) : "req \"" + random.nextInt(1000) + "\"\n\u00e9";
        t.userId = "u" + random.nextInt(100);
        int n = interaction ? 1 : 1 + random.nextInt(30);
        t.k = interaction ? 1 : random.nextInt(n + 3);
        t.candidates = new ItemDescriptor[n];
        t.crmScores = new float[n];
        for (int i = 0; i < n; i++) {
            t.candidates[i] = new ItemDescriptor("i" + i, "t", 1990, new String[0]);
            // Few distinct values, so that ties are common.
            t.crmScores[i] = random.nextInt(5) / 4f;
        }
        if (random.nextBoolean()) {
            t.finalScores = new float[n];
            for (int i = 0; i < n; i++) {
                t.finalScores[i] = random.nextFloat();
            }
            t.llmModelVersion = "llm-v" + random.nextInt(3);
            t.llmLatencyMs = random.nextInt(500);
            t.route = "llm";
        } else {
            t.route = random.nextBoolean() ? "crm" : "fallback";
            t.fallbackReason = t.route.equals("fallback") ? "deadline exceeded" : null;
        }
        t.crmModelVersion = "crm-v1";
        if (!interaction) {
            t.retrievalSource = RetrievalSource.ALL[random.nextInt(RetrievalSource.ALL.length)];
            if (t.retrievalSource.equals(RetrievalSource.SEQUENCE)) {
                t.retrievalModelVersion = "seq-v" + random.nextInt(3);
                if (random.nextBoolean()) {
                    t.shadowPopularityItems = new String[] {"p" + random.nextInt(9), "p\"" + random.nextInt(9)};
                    t.retrievedItems = new String[] {"i" + random.nextInt(9)};
                }
            }
        }
        t.entropy = random.nextDouble();
        t.gate = random.nextInt(10) == 0 ? Double.NaN : random.nextDouble();
        t.timestampMs = 1_700_000_000_000L + random.nextInt(1_000_000);
        t.userInteractions = random.nextInt(5) == 0 ? 0 : random.nextInt(100_000);
        t.ingestMs = t.timestampMs + random.nextInt(100);
        t.label = interaction ? random.nextInt(2) : -1;
        t.rating = interaction ? 1 + random.nextInt(5) : 0;
        return t;
    }

    @Test
    void writesExactlyWhatTheMapVersionWrote() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            ScoringTask t = task(random, random.nextBoolean());
            long now = t.ingestMs + random.nextInt(200) - 50;
            assertThat(Recommendations.toJson(t, now)).isEqualTo(reference(t, now));
        }
    }

    @Test
    void everyNumberReadsBackAsTheSameFloatOrDouble() throws Exception {
        Random random = new Random(11);
        for (int i = 0; i < 2000; i++) {
            ScoringTask t = task(random, false);
            // Any bit pattern, not only the few values and [0, 1) of task().
            for (int j = 0; j < t.crmScores.length; j++) {
                float f = Float.intBitsToFloat(random.nextInt());
                t.crmScores[j] = Float.isFinite(f) ? f : random.nextFloat();
            }
            t.finalScores = null;
            double e = Double.longBitsToDouble(random.nextLong());
            t.entropy = Double.isFinite(e) ? e : random.nextDouble();
            var json = DECIMALS.readTree(Recommendations.toJson(t, t.ingestMs));
            float[] written = new float[json.get("crm_scores").size()];
            for (int j = 0; j < written.length; j++) {
                written[j] = Float.parseFloat(json.get("crm_scores").get(j).asText());
                assertThat(Float.parseFloat(json.get("scores").get(j).asText())).isEqualTo(written[j]);
            }
            float[] sorted = t.crmScores.clone();
            Arrays.sort(sorted);
            for (int j = 0; j < written.length; j++) {
                assertThat(written[j]).isEqualTo(sorted[sorted.length - 1 - j]);
            }
            assertThat(Double.parseDouble(json.get("crm_entropy").asText())).isEqualTo(t.entropy);
        }
    }
}
