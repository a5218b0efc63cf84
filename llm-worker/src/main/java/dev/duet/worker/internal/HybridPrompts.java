package dev.duet.worker.internal;

import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.worker.RequestLimits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The causal-LM backend's prompts for a request, with the places of the behaviour vectors marked
 * (LLaRA's hybrid prompt): the user's vector ({@code user_behaviour}) opens the prompt, each
 * history item's vector follows its title, and each candidate's vector follows its title (in the
 * listwise candidate list, and after the pointwise target). Without {@code withBehaviour}, or for
 * items that carry no vector, the prompt is text only.
 *
 * <p>One class so that the worker and {@code ./duet export-llm-data} write the same prompt: a
 * model fine-tuned on the exported text is asked exactly the way it was trained.
 */
public final class HybridPrompts {

    /** Mark kinds. */
    public static final String USER = "user";
    public static final String HISTORY = "history";
    public static final String CANDIDATE = "candidate";
    public static final String TARGET = "target";

    /** LLaRA's placeholder words for the behaviour places, used when prompts are written as text. */
    public static final Map<String, String> LLARA_PLACEHOLDERS = Map.of(
            USER, "[UserEmb]", HISTORY, "[HistoryEmb]", CANDIDATE, "[CansEmb]", TARGET, "[CansEmb]");

    private final PromptTemplate pointwise;
    private final PromptTemplate listwise;
    private final ItemText itemText;
    private final int maxHistory;
    private final boolean withBehaviour;

    /**
     * @param withBehaviour whether behaviour vectors get places (the backend has a projector)
     */
    public HybridPrompts(String pointwiseTemplate, String listwiseTemplate, RequestLimits limits, boolean withBehaviour) {
        this.pointwise = new PromptTemplate(pointwiseTemplate);
        this.listwise = new PromptTemplate(listwiseTemplate);
        this.itemText = new ItemText(limits);
        this.maxHistory = limits.maxHistoryItems();
        this.withBehaviour = withBehaviour;
    }

    /** The worker's default templates and limits, behaviour places on. */
    public static HybridPrompts defaults() {
        return new HybridPrompts(PromptTemplate.COREL_LA_POINTWISE, PromptTemplate.DEFAULT_LISTWISE,
                RequestLimits.defaults(), true);
    }

    /** The index of the first history item the prompt uses (only the last {@code maxHistory}). */
    public int firstHistory(ScoreRequest r) {
        return Math.max(0, r.getHistoryCount() - maxHistory);
    }

    /** The listwise prompt: history, then every candidate title (each with its vector's place). */
    public Prompt listwise(ScoreRequest r) {
        Prompt.Builder candidates = Prompt.builder();
        for (int c = 0; c < r.getCandidatesCount(); c++) {
            Candidate cand = r.getCandidates(c);
            if (c > 0) {
                candidates.text("; ");
            }
            candidates.text(itemText.title(cand));
            if (withBehaviour && cand.getBehaviourCount() > 0) {
                candidates.mark(CANDIDATE, toArray(cand.getBehaviourList()));
            }
        }
        return withUser(r, listwise.fill(Map.of("history", history(r), "candidates", candidates.build(),
                "target", Prompt.of(""))));
    }

    /** The pointwise prompt of candidate {@code c}: history, then the target's title and text. */
    public Prompt pointwise(ScoreRequest r, int c) {
        Candidate cand = r.getCandidates(c);
        String title = itemText.title(cand);
        Prompt.Builder target = Prompt.builder().text(title);
        if (withBehaviour && cand.getBehaviourCount() > 0) {
            target.mark(TARGET, toArray(cand.getBehaviourList()));
        }
        String text = itemText.full(cand);
        target.text(text.substring(title.length()));
        return withUser(r, pointwise.fill(Map.of("history", history(r), "target", target.build(),
                "candidates", Prompt.of(text))));
    }

    /** The answer a listwise prompt is continued with for candidate {@code c}: " " + its title. */
    public String listwiseAnswer(ScoreRequest r, int c) {
        return " " + itemText.title(r.getCandidates(c));
    }

    /** The candidates' titles as they appear in prompts (cut and cleaned). */
    public List<String> candidateTitles(ScoreRequest r) {
        List<String> titles = new ArrayList<>();
        for (Candidate c : r.getCandidatesList()) {
            titles.add(itemText.title(c));
        }
        return titles;
    }

    /** "title (rated 5); title (rated 3)" over the most recent items, a place after each title. */
    private Prompt history(ScoreRequest r) {
        int first = firstHistory(r);
        if (first == r.getHistoryCount()) {
            return Prompt.of("no items yet");
        }
        Prompt.Builder b = Prompt.builder();
        for (int i = first; i < r.getHistoryCount(); i++) {
            HistoryItem h = r.getHistory(i);
            if (i > first) {
                b.text("; ");
            }
            b.text(itemText.title(h));
            if (withBehaviour && h.getBehaviourCount() > 0) {
                b.mark(HISTORY, toArray(h.getBehaviourList()));
            }
            String rating = ItemText.rating(h.getRating());
            if (!rating.isEmpty()) {
                b.text(" (rated " + rating + ")");
            }
        }
        return b.build();
    }

    /** The user's vector, when sent, opens the prompt (right after BOS in the model's input). */
    private Prompt withUser(ScoreRequest r, Prompt prompt) {
        if (!withBehaviour || r.getUserBehaviourCount() == 0) {
            return prompt;
        }
        return Prompt.builder().mark(USER, toArray(r.getUserBehaviourList())).append(prompt).build();
    }

    /**
     * The prompt as text with a placeholder word at each behaviour place (e.g. LLaRA's
     * "[HistoryEmb]"), each preceded by a space; the places' character offsets in that text.
     */
    public static Rendered render(Prompt prompt, Map<String, String> placeholders) {
        StringBuilder text = new StringBuilder();
        List<Place> places = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        int from = 0;
        for (Prompt.Mark m : prompt.marks()) {
            text.append(prompt.text(), from, m.charEnd());
            from = m.charEnd();
            String word = placeholders.get(m.kind());
            if (word == null) {
                throw new IllegalArgumentException("no placeholder for behaviour places of kind '" + m.kind() + "'");
            }
            if (text.length() > 0) {
                text.append(' ');
            }
            int index = counts.merge(m.kind(), 1, Integer::sum) - 1;
            places.add(new Place(m.kind(), index, text.length(), word.length()));
            text.append(word);
            if (m.charEnd() == 0) {
                text.append(' ');
            }
        }
        text.append(prompt.text(), from, prompt.text().length());
        return new Rendered(text.toString(), places);
    }

    /** A prompt written as text with its behaviour places. */
    public record Rendered(String text, List<Place> places) {}

    /**
     * One behaviour place in rendered text.
     *
     * @param kind user, history, candidate or target
     * @param index the place's number among those of its kind (history: 0 is the oldest item used)
     * @param charStart where the placeholder word starts
     * @param length the placeholder word's length
     */
    public record Place(String kind, int index, int charStart, int length) {}

    static float[] toArray(List<Float> values) {
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }
}
