package dev.duet.worker.internal;

import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.worker.RequestLimits;

/**
 * Turns caller-supplied item fields into prompt text. Everything a caller sends is cut to the
 * configured lengths and stripped of control characters here, before it can reach a prompt.
 */
public final class ItemText {

    private final RequestLimits limits;

    public ItemText(RequestLimits limits) {
        this.limits = limits;
    }

    /** The item's title, or its text when it has no title. */
    public String title(HistoryItem h) {
        return title(h.getTitle(), h.getText());
    }

    public String title(Candidate c) {
        return title(c.getTitle(), c.getText());
    }

    /** Title plus the further text in parentheses, the way an encoder should see the item. */
    public String full(String title, String text) {
        String t = title(title, text);
        String extra = title.isBlank() ? "" : clean(text, limits.maxTextChars());
        return extra.isEmpty() ? t : t + " (" + extra + ")";
    }

    public String full(Candidate c) {
        return full(c.getTitle(), c.getText());
    }

    public String full(HistoryItem h) {
        return full(h.getTitle(), h.getText());
    }

    /** A rating as people write it: "5" rather than "5.0"; empty for implicit feedback. */
    public static String rating(float rating) {
        if (rating <= 0f) {
            return "";
        }
        return rating == Math.rint(rating) ? Integer.toString((int) rating) : Float.toString(rating);
    }

    private String title(String title, String text) {
        return title.isBlank()
                ? clean(text, limits.maxTitleChars())
                : clean(title, limits.maxTitleChars());
    }

    /** Collapses whitespace and control characters, then cuts to {@code max} code points. */
    static String clean(String s, int max) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), max));
        int count = 0;
        boolean space = false;
        for (int i = 0; i < s.length() && count < max; ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isISOControl(cp)) {
                space = out.length() > 0;
                continue;
            }
            if (space) {
                out.append(' ');
                count++;
                space = false;
                if (count >= max) {
                    break;
                }
            }
            out.appendCodePoint(cp);
            count++;
        }
        return out.toString();
    }
}
