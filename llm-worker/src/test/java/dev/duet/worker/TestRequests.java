package dev.duet.worker;

import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;

/** Requests used across the tests. */
public final class TestRequests {

    private TestRequests() {}

    public static HistoryItem item(String title, float rating) {
        return HistoryItem.newBuilder().setItemId(title).setTitle(title).setRating(rating).build();
    }

    public static Candidate candidate(String title) {
        return Candidate.newBuilder().setItemId(title).setTitle(title).setCrmProbability(0.5f)
                .build();
    }

    /** A pointwise request with {@code historySize} items (varied lengths, for padding tests). */
    public static ScoreRequest pointwise(String id, int historySize, String target) {
        ScoreRequest.Builder b = ScoreRequest.newBuilder().setRequestId(id).setUserId("u-" + id)
                .setTask(Task.TASK_POINTWISE).addCandidates(candidate(target));
        String[] titles = {"Toy Story (1995)", "Heat (1995)", "The Lion King (1994)",
            "Fargo (1996)", "Babe (1995)", "Aladdin (1992)", "Casino (1995)", "Jumanji (1995)"};
        for (int i = 0; i < historySize; i++) {
            b.addHistory(item(titles[i % titles.length], 1 + (i * 3) % 5));
        }
        return b.build();
    }
}
