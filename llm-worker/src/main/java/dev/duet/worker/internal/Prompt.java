package dev.duet.worker.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Prompt text plus marks: places (character offsets) where a behaviour vector is to be spliced in
 * (hybrid prompts): right after an item's title, or at the very start for the user's vector.
 */
public record Prompt(String text, List<Mark> marks) {

    /**
     * A behaviour vector to splice in after the token that ends at or covers {@code charEnd}.
     *
     * @param kind what the vector stands for: {@link HybridPrompts#USER}, {@link
     *     HybridPrompts#HISTORY}, {@link HybridPrompts#CANDIDATE} or {@link HybridPrompts#TARGET}
     */
    public record Mark(int charEnd, float[] behaviour, String kind) {}

    public static Prompt of(String text) {
        return new Prompt(text, List.of());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Accumulates text and marks, shifting marks by the text already written. */
    public static final class Builder {
        private final StringBuilder text = new StringBuilder();
        private final List<Mark> marks = new ArrayList<>();

        public Builder text(String s) {
            text.append(s);
            return this;
        }

        /** Marks the current end of the text as the place of a {@code kind} behaviour vector. */
        public Builder mark(String kind, float[] behaviour) {
            marks.add(new Mark(text.length(), behaviour, kind));
            return this;
        }

        public Builder append(Prompt p) {
            int shift = text.length();
            text.append(p.text());
            for (Mark m : p.marks()) {
                marks.add(new Mark(m.charEnd() + shift, m.behaviour(), m.kind()));
            }
            return this;
        }

        public int length() {
            return text.length();
        }

        public Prompt build() {
            return new Prompt(text.toString(), List.copyOf(marks));
        }
    }
}
