package dev.duet.job.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.testing.TopicSchemas;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the job writes on {@code recommendations} follows docs/schemas/recommendations.schema.json,
 * and declares no field the schema does not (the schema leaves additional properties open for
 * consumers, since the record only grows, so this test is what keeps the two together).
 */
class RecommendationsSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ScoringTask task(EventKind kind, String route, String retrieval, boolean shadow) {
        ScoringTask t = new ScoringTask();
        t.kind = kind;
        boolean interaction = kind == EventKind.INTERACTION;
        t.id = interaction ? "interactions-1-2077" : "r-1029";
        t.userId = "196";
        int n = interaction ? 1 : 5;
        t.k = interaction ? 1 : 3;
        t.candidates = new ItemDescriptor[n];
        t.crmScores = new float[n];
        for (int i = 0; i < n; i++) {
            t.candidates[i] = new ItemDescriptor("i" + i, "t", 1990, new String[0]);
            t.crmScores[i] = (i + 1) / (float) (n + 1);
        }
        t.route = route;
        if (route.equals("llm")) {
            t.finalScores = new float[n];
            for (int i = 0; i < n; i++) {
                t.finalScores[i] = 1 + (n - i) / (float) n; // listwise: above every CRM score
            }
            t.llmModelVersion = "causal-lm:stories260k@3f2a";
            t.llmLatencyMs = 31;
        }
        if (route.equals("fallback")) {
            t.fallbackReason = "timeout";
        }
        t.crmModelVersion = "fixture-v1";
        t.retrievalSource = retrieval;
        if (RetrievalSource.SEQUENCE.equals(retrieval)) {
            t.retrievalModelVersion = "sasrec-3f09c2a1d7e4";
            if (shadow) {
                t.shadowPopularityItems = new String[] {"50", "100", "181"};
                t.retrievedItems = new String[] {"174", "98", "172"};
            }
        }
        t.entropy = 0.9932;
        t.gate = 0.9262;
        t.timestampMs = 1_700_002_292_102L;
        t.ingestMs = t.timestampMs;
        t.label = interaction ? 1 : -1;
        t.rating = interaction ? 5 : 0;
        return t;
    }

    private static List<ScoringTask> everyKindOfRecord() {
        return List.of(
                task(EventKind.INTERACTION, "crm", null, false),
                task(EventKind.INTERACTION, "llm", null, false),
                task(EventKind.INTERACTION, "fallback", null, false),
                task(EventKind.REQUEST, "crm", RetrievalSource.REQUEST, false),
                task(EventKind.REQUEST, "llm", RetrievalSource.POPULARITY, false),
                task(EventKind.REQUEST, "fallback", RetrievalSource.SEQUENCE, false),
                task(EventKind.REQUEST, "crm", RetrievalSource.SEQUENCE, true));
    }

    @Test
    void everyKindOfRecordTheJobWritesValidates() throws Exception {
        JsonNode declared = TopicSchemas.schemaJson("recommendations").get("properties");
        Set<String> written = new HashSet<>();
        for (ScoringTask t : everyKindOfRecord()) {
            String json = Recommendations.toJson(t, t.ingestMs + 12);
            assertThat(TopicSchemas.errors("recommendations", json)).as(json).isEmpty();
            JSON.readTree(json).fieldNames().forEachRemaining(written::add);
        }
        for (String field : written) {
            assertThat(declared.has(field)).as("the schema declares %s", field).isTrue();
        }
        Set<String> all = new HashSet<>();
        declared.fieldNames().forEachRemaining(all::add);
        assertThat(written).as("every declared field is written by some record").isEqualTo(all);
    }

    @Test
    void theSchemaRejectsWhatTheJobNeverWrites() throws Exception {
        String good = Recommendations.toJson(task(EventKind.INTERACTION, "fallback", null, false), 1_700_002_292_200L);
        assertThat(TopicSchemas.errors("recommendations", good)).isEmpty();
        for (String[] change : new String[][] {
                {"\"route\":\"fallback\"", "\"route\":\"gpu\""},
                {"\"kind\":\"interaction\"", "\"kind\":\"click\""},
                {"\"label\":1", "\"label\":2"},
                {",\"fallback_reason\":\"timeout\"", ""},
                {"\"gate\":0.9262", "\"gate\":1.5"},
                {"\"retrieval\":null", "\"retrieval\":\"sequence\""}}) {
            assertThat(good).contains(change[0]);
            String bad = good.replace(change[0], change[1]);
            assertThat(TopicSchemas.errors("recommendations", bad)).as(bad).isNotEmpty();
        }
    }
}
