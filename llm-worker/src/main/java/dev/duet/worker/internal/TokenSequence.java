package dev.duet.worker.internal;

/**
 * One row of a causal-LM batch: token ids (starting with BOS where the model has one), the index
 * of the first token whose log-probability counts, and behaviour vectors spliced before given
 * token indices (ascending; empty when the prompt is text only).
 */
public record TokenSequence(long[] ids, int scoreFrom, int[] spliceBefore, float[][] splices) {

    private static final int[] NO_SPLICE_POSITIONS = new int[0];
    private static final float[][] NO_SPLICES = new float[0][];

    public TokenSequence {
        if (scoreFrom < 1 || scoreFrom > ids.length) {
            // Token 0 has no left context, so it can never be scored.
            throw new IllegalArgumentException(
                    "scoreFrom must be in 1.." + ids.length + ", got " + scoreFrom);
        }
        if (spliceBefore.length != splices.length) {
            throw new IllegalArgumentException("one splice position per spliced vector");
        }
        for (int k = 0; k < spliceBefore.length; k++) {
            // 0 is allowed: a vector may open the sequence (the user's, in a model without BOS).
            if (spliceBefore[k] < 0 || spliceBefore[k] > scoreFrom
                    || (k > 0 && spliceBefore[k] < spliceBefore[k - 1])) {
                throw new IllegalArgumentException(
                        "splice positions must ascend within the prompt, got " + spliceBefore[k]);
            }
        }
    }

    public static TokenSequence text(long[] ids, int scoreFrom) {
        return new TokenSequence(ids, scoreFrom, NO_SPLICE_POSITIONS, NO_SPLICES);
    }

    /** Positions the model sees: tokens plus spliced vectors. */
    public int effectiveLength() {
        return ids.length + splices.length;
    }

    public boolean hasSplices() {
        return splices.length > 0;
    }

    /** Position of token {@code j} once the spliced vectors are in place. */
    public int effectivePosition(int j) {
        int shift = 0;
        while (shift < spliceBefore.length && spliceBefore[shift] <= j) {
            shift++;
        }
        return j + shift;
    }
}
