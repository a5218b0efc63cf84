package dev.duet.worker.internal;

import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.worker.RequestLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pointwise prompt text the openai backend sends for a request (and, without hybrid marks, the
 * causal-LM backend): the template's {history} is "title (rated r); ..." over the most recent
 * items, {target} the candidate's title and text. {@code ./duet export-llm-data} writes prompts
 * with it, so a model fine-tuned on them is asked the same way when served.
 */
public final class PointwisePrompts {

    private final PromptTemplate template;
    private final ItemText itemText;
    private final int maxHistory;

    public PointwisePrompts(String template, RequestLimits limits) {
        this.template = new PromptTemplate(template);
        this.itemText = new ItemText(limits);
        this.maxHistory = limits.maxHistoryItems();
    }

    /** CoReLLa's template with the worker's default limits. */
    public static PointwisePrompts defaults() {
        return new PointwisePrompts(PromptTemplate.COREL_LA_POINTWISE, RequestLimits.defaults());
    }

    /** The prompt for candidate {@code c} of {@code r}. */
    public String prompt(ScoreRequest r, int c) {
        String target = itemText.full(r.getCandidates(c));
        return template.fill(Map.of("history", Prompt.of(history(r, itemText, maxHistory)),
                "target", Prompt.of(target), "candidates", Prompt.of(target))).text();
    }

    static String history(ScoreRequest r, ItemText itemText, int maxHistory) {
        List<String> items = new ArrayList<>();
        for (int i = Math.max(0, r.getHistoryCount() - maxHistory); i < r.getHistoryCount(); i++) {
            HistoryItem h = r.getHistory(i);
            String rating = ItemText.rating(h.getRating());
            items.add(itemText.title(h) + (rating.isEmpty() ? "" : " (rated " + rating + ")"));
        }
        return items.isEmpty() ? "no items yet" : String.join("; ", items);
    }
}
