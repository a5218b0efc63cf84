package dev.duet.worker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A prompt with named slots: {history}, {target}, {candidates}. Slots are filled in one pass, so
 * braces inside item titles are never expanded again (a title cannot inject another slot).
 */
public final class PromptTemplate {

    /** CoReLLa's pointwise prompt (PROTOCOL.md). */
    public static final String COREL_LA_POINTWISE =
            "Below is the rating history of a user: {history}. Please predict whether the user"
                    + " will like {target} based on his/her rating history and the quality of the"
                    + " target item. You should ONLY answer no or yes. Answer:";

    /** Listwise: the candidates are listed, each is then scored by the likelihood of its title. */
    public static final String DEFAULT_LISTWISE =
            "Below is the rating history of a user: {history}. From these candidates: {candidates},"
                    + " the item the user will like most is:";

    private static final Set<String> SLOTS = Set.of("history", "target", "candidates");

    private final String template;
    private final List<Object> parts = new ArrayList<>();

    public PromptTemplate(String template) {
        this.template = template;
        int i = 0;
        StringBuilder literal = new StringBuilder();
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                literal.append(template, i, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            String name = close < 0 ? null : template.substring(open + 1, close);
            if (name != null && SLOTS.contains(name)) {
                literal.append(template, i, open);
                parts.add(literal.toString());
                literal.setLength(0);
                parts.add(new Slot(name));
                i = close + 1;
            } else {
                literal.append(template, i, open + 1);
                i = open + 1;
            }
        }
        parts.add(literal.toString());
    }

    public String template() {
        return template;
    }

    public boolean uses(String slot) {
        return parts.stream().anyMatch(p -> p instanceof Slot s && s.name.equals(slot));
    }

    /** Fills the slots; each value is a piece of prompt text that may carry marks. */
    public Prompt fill(Map<String, Prompt> values) {
        Prompt.Builder out = Prompt.builder();
        for (Object p : parts) {
            if (p instanceof Slot s) {
                Prompt v = values.get(s.name);
                if (v == null) {
                    throw new IllegalArgumentException("no value for slot {" + s.name + "}");
                }
                out.append(v);
            } else {
                out.text((String) p);
            }
        }
        return out.build();
    }

    private record Slot(String name) {}
}
