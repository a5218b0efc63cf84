package dev.duet.worker.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Prompt text plus marks: places (character offsets) right after an item's title where a
 * behaviour vector is to be spliced in (hybrid prompts).
 */
public record Prompt(String text, List<Mark> marks) {

    /** A behaviour vector to splice in after the token that ends at or covers {@code charEnd}. */
    public record Mark(int charEnd, float[] behaviour) {}

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

        public Builder mark(float[] behaviour) {
            marks.add(new Mark(text.length(), behaviour));
            return this;
        }

        public Builder append(Prompt p) {
            int shift = text.length();
            text.append(p.text());
            for (Mark m : p.marks()) {
                marks.add(new Mark(m.charEnd() + shift, m.behaviour()));
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
