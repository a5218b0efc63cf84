package dev.duet.evaluation.calibration;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.ItemInfo;
import dev.duet.core.samples.Sample;
import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;

/**
 * Builds the worker request for a sample the way the streaming job does
 * ({@code dev.duet.job.llm.LlmAsyncScorer}): history items with catalog titles, text "genres;
 * year" and their ratings, oldest first; the target as the one pointwise candidate carrying the
 * CRM's probability and item behaviour vector; the CRM's user vector.
 */
public final class Requests {

    private Requests() {}

    public static ScoreRequest pointwise(
            String id, Sample s, Dataset dataset, float crmProbability, float[] userVector, float[] itemVector,
            String crmVersion) {
        ScoreRequest.Builder b = ScoreRequest.newBuilder()
                .setRequestId(id)
                .setUserId(s.userId())
                .setTask(Task.TASK_POINTWISE)
                .setCrmModelVersion(crmVersion == null ? "" : crmVersion);
        for (float v : userVector) {
            b.addUserBehaviour(v);
        }
        for (int i = 0; i < s.historyLength(); i++) {
            ItemInfo h = dataset.item(s.historyItems()[i]);
            b.addHistory(HistoryItem.newBuilder()
                    .setItemId(h.itemId())
                    .setTitle(h.title())
                    .setText(text(h))
                    .setRating(s.historyRatings()[i]));
        }
        ItemInfo target = dataset.item(s.itemId());
        Candidate.Builder c = Candidate.newBuilder()
                .setItemId(target.itemId())
                .setTitle(target.title())
                .setText(text(target))
                .setCrmProbability(crmProbability);
        for (float v : itemVector) {
            c.addBehaviour(v);
        }
        return b.addCandidates(c).build();
    }

    /** The job's item text: genres, then the release year. */
    static String text(ItemInfo item) {
        StringBuilder s = new StringBuilder(String.join(", ", item.genres()));
        if (item.year() > 0) {
            s.append(s.length() > 0 ? "; " : "").append(item.year());
        }
        return s.toString();
    }
}
