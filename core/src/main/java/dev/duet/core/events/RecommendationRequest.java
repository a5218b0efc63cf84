package dev.duet.core.events;

import dev.duet.core.data.UserInfo;
import java.util.List;

/**
 * A request from the {@code requests} topic: rank the candidates (or, when there are none, recent
 * popular items the user has not seen) and answer with the top {@code k}.
 *
 * @param requestId the caller's id, echoed in the answer
 * @param userId the user
 * @param candidates item ids to rank; empty means "choose for me"
 * @param k how many items to answer with
 * @param timestampMs event time, epoch milliseconds
 * @param profile the user's profile when the record carried one, else null
 */
public record RecommendationRequest(
        String requestId, String userId, List<String> candidates, int k, long timestampMs, UserInfo profile) {

    public RecommendationRequest {
        candidates = List.copyOf(candidates);
    }

    /** A request without a profile. */
    public RecommendationRequest(String requestId, String userId, List<String> candidates, int k, long timestampMs) {
        this(requestId, userId, candidates, k, timestampMs, null);
    }
}
