package dev.duet.evaluation.nextitem;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.ItemInfo;
import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import java.util.List;

/**
 * The worker request of one next-item case (LLaRA's setting, {@code TASK_LISTWISE}): the history
 * items with their titles and the sequence model's item vectors, the candidates in the order the LLM
 * is shown them with their titles, the sequence model's probability (softmax over the candidates, in
 * {@code crm_probability}) and item vectors, and the sequence model's user vector. An item the
 * model does not know goes without a vector (text only).
 */
public final class NextItemRequests {

    private NextItemRequests() {}

    /**
     * @param history the case's history ids, oldest first
     * @param historyVectors one per history item, null where the model read none
     * @param candidates candidate ids in the order shown
     * @param candidateVectors one per shown candidate, null where the model knows none
     * @param probabilities the sequence model's softmax over the shown candidates
     */
    public static ScoreRequest listwise(String id, String user, List<String> history, float[][] historyVectors,
            String[] candidates, float[][] candidateVectors, double[] probabilities, float[] userVector, Dataset dataset,
            String modelVersion) {
        ScoreRequest.Builder b = ScoreRequest.newBuilder()
                .setRequestId(id)
                .setUserId(user == null ? "" : user)
                .setTask(Task.TASK_LISTWISE)
                .setCrmModelVersion(modelVersion == null ? "" : modelVersion);
        if (userVector != null) {
            for (float v : userVector) {
                b.addUserBehaviour(v);
            }
        }
        for (int i = 0; i < history.size(); i++) {
            HistoryItem.Builder h = HistoryItem.newBuilder().setItemId(history.get(i)).setTitle(title(dataset, history.get(i)));
            if (historyVectors[i] != null) {
                for (float v : historyVectors[i]) {
                    h.addBehaviour(v);
                }
            }
            b.addHistory(h);
        }
        for (int c = 0; c < candidates.length; c++) {
            Candidate.Builder cand = Candidate.newBuilder().setItemId(candidates[c]).setTitle(title(dataset, candidates[c]))
                    .setCrmProbability((float) probabilities[c]);
            if (candidateVectors[c] != null) {
                for (float v : candidateVectors[c]) {
                    cand.addBehaviour(v);
                }
            }
            b.addCandidates(cand);
        }
        return b.build();
    }

    /** The item's title from the data set's catalog, or "item ID" when the catalog has none. */
    public static String title(Dataset dataset, String itemId) {
        ItemInfo info = dataset.item(itemId);
        return info.title().isBlank() ? "item " + itemId : info.title();
    }
}
