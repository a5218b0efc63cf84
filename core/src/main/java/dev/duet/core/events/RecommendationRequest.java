package dev.duet.core.events;

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
 */
public record RecommendationRequest(
        String requestId, String userId, List<String> candidates, int k, long timestampMs) {

    public RecommendationRequest {
        candidates = List.copyOf(candidates);
    }
}
