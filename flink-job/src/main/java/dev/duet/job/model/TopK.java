package dev.duet.job.model;

/** The best candidates of a task by score: for the answer's top k and the LLM's rerank list. */
public final class TopK {

    private TopK() {}

    /**
     * Indices of the {@code k} highest of the first {@code n} scores, highest first; equal scores
     * keep candidate order (a stable insertion into the first k places: a request has tens of
     * candidates, so no sort of boxed indices).
     */
    public static int[] indices(float[] scores, int n, int k) {
        int[] top = new int[k];
        int filled = 0;
        for (int i = 0; i < n; i++) {
            float s = scores[i];
            if (filled == k && Float.compare(s, scores[top[k - 1]]) <= 0) {
                continue;
            }
            int pos = filled < k ? filled++ : k - 1;
            while (pos > 0 && Float.compare(s, scores[top[pos - 1]]) > 0) {
                top[pos] = top[pos - 1];
                pos--;
            }
            top[pos] = i;
        }
        return top;
    }
}
