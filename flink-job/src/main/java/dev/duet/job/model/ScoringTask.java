package dev.duet.job.model;

/**
 * One unit of scoring work: a prequential interaction sample (one candidate, known label) or a
 * request (many candidates, no label). Built by the user operator from the state before the event,
 * filled with the CRM's answer by the scoring operator, routed, and possibly answered by the LLM.
 */
public class ScoringTask {
    public EventKind kind;
    /** Interactions: the source record id; requests: the request id. */
    public String id;
    public String userId;
    public long timestampMs;
    public long ingestMs;
    /** Interactions: the protocol's label (rating >= 4); requests: -1. */
    public int label;
    public float rating;
    public int k;

    /** The user's recent history strictly before the event, oldest first (the sample's history). */
    public ItemDescriptor[] history;
    public float[] historyRatings;
    public long[] historyTimes;
    /** The user's profile as the state knows it ("" for unknown fields). */
    public String gender = "";
    public String age = "";
    public String occupation = "";
    public String zip = "";
    /** How many interactions the user had before this event (the gate's cold feature). */
    public long userInteractions;

    /** Items to score: the interaction's item, or the request's candidates. */
    public ItemDescriptor[] candidates;
    /** The candidates' decayed popularity (the gate's tail feature). */
    public double[] candidatePopularity;
    /** The model to score with; null for the job's configured model. */
    public String modelPath;

    // Candidate retrieval (requests): set by the user operator, used by the retrieval step.
    /** Where the candidates came from ({@link RetrievalSource}); null for interactions. */
    public String retrievalSource;
    /** Version of the sequence model that retrieved the candidates (source sequence), else null. */
    public String retrievalModelVersion;
    /**
     * A request without its own candidates, until the retrieval step has run: the user's items in
     * state, oldest first (what the sequence model reads, and what it must not retrieve); else null.
     */
    public String[] retrievalHistory;
    /** The sequence model to retrieve with (from the control topic); null for the configured one. */
    public String sequenceModelPath;
    /** The user operator's catalog and popularity, by {@code CatalogViews} handle, for retrieved ids. */
    public String catalogHandle;
    /**
     * Measurement only (retrieval.shadow-popularity): for a request the sequence model served,
     * popularity's top k as it would have retrieved them, and the sequence model's own top k.
     */
    public String[] shadowPopularityItems;
    public String[] retrievedItems;

    // Filled by the scoring operator.
    public float[] crmScores;
    public float[] userVector;
    /** Row-major [candidates, dim]. */
    public float[] itemVectors;
    public String crmModelVersion;
    public long scoredAtMs;

    // Filled by routing and the LLM call.
    public String route;
    public double entropy;
    public double gate;
    /** The scores the answer ranks by: the CRM's, or the LLM's on route llm. */
    public float[] finalScores;
    public String llmModelVersion;
    public long llmLatencyMs;
    public String fallbackReason;
    /** Set once the LLM call ended (answer, error or timeout): the first ending wins. */
    public boolean llmDone;

    public ScoringTask() {}

    /**
     * Not a task but a control record, handed on by the user operator so that the operators that
     * swap models start opening the new one at once (kind {@link EventKind#CONTROL}): {@link
     * #modelPath} set for the CRM, {@link #sequenceModelPath} for the sequence model. Candidate
     * retrieval passes it on in order; CRM scoring consumes it.
     */
    public static ScoringTask modelControl(boolean sequenceModel, String path) {
        ScoringTask control = new ScoringTask();
        control.kind = EventKind.CONTROL;
        control.id = "control";
        control.candidates = new ItemDescriptor[0];
        if (sequenceModel) {
            control.sequenceModelPath = path;
        } else {
            control.modelPath = path;
        }
        return control;
    }

    /**
     * Drops what only scoring and the LLM read (history, behaviour vectors, popularity) once a task
     * is answered: with the LLM on, answered tasks cross one more exchange (the union of both
     * routes), and the history's catalog entries were most of what it serialised.
     */
    public void releaseScoringInputs() {
        history = null;
        historyRatings = null;
        historyTimes = null;
        userVector = null;
        itemVectors = null;
        candidatePopularity = null;
        retrievalHistory = null;
    }

    public int candidateCount() {
        return candidates == null ? 0 : candidates.length;
    }

    public boolean isInteraction() {
        return kind == EventKind.INTERACTION;
    }
}
