package dev.duet.worker.internal;

import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import dev.duet.worker.InvalidRequestException;
import dev.duet.worker.RequestLimits;
import java.util.List;

/** The checks every backend relies on; backend-specific ones follow in ScoringBackend.validate. */
public final class RequestValidator {

    private final RequestLimits limits;

    public RequestValidator(RequestLimits limits) {
        this.limits = limits;
    }

    public void validate(ScoreRequest r) throws InvalidRequestException {
        String id = r.getRequestId();
        if (id.isBlank()) {
            throw new InvalidRequestException("<empty>", "request_id", "is empty");
        }
        if (id.length() > limits.maxRequestIdChars()) {
            throw new InvalidRequestException(
                    id.substring(0, 32) + "...",
                    "request_id",
                    "is longer than " + limits.maxRequestIdChars() + " characters");
        }
        if (r.getTask() != Task.TASK_POINTWISE && r.getTask() != Task.TASK_LISTWISE) {
            throw new InvalidRequestException(
                    id,
                    "task",
                    "is "
                            + (r.getTask() == Task.UNRECOGNIZED
                                    ? "unknown (" + r.getTaskValue() + ")"
                                    : r.getTask().name())
                            + "; expected TASK_POINTWISE or TASK_LISTWISE");
        }
        if (r.getCandidatesCount() == 0) {
            throw new InvalidRequestException(id, "candidates", "is empty (at least one needed)");
        }
        if (r.getCandidatesCount() > limits.maxCandidates()) {
            throw new InvalidRequestException(
                    id,
                    "candidates",
                    "has " + r.getCandidatesCount() + " items, more than " + limits.maxCandidates());
        }
        for (int i = 0; i < r.getCandidatesCount(); i++) {
            Candidate c = r.getCandidates(i);
            String field = "candidates[" + i + "]";
            if (c.getTitle().isBlank() && c.getText().isBlank()) {
                throw new InvalidRequestException(id, field + ".title", "and .text are both empty");
            }
            float p = c.getCrmProbability();
            if (!(p >= 0f && p <= 1f)) {
                throw new InvalidRequestException(
                        id, field + ".crm_probability", "is " + p + ", outside [0, 1]");
            }
            checkVector(id, field + ".behaviour", c.getBehaviourList());
        }
        for (int i = 0; i < r.getHistoryCount(); i++) {
            HistoryItem h = r.getHistory(i);
            String field = "history[" + i + "]";
            if (h.getTitle().isBlank() && h.getText().isBlank()) {
                throw new InvalidRequestException(id, field + ".title", "and .text are both empty");
            }
            if (!Float.isFinite(h.getRating()) || h.getRating() < 0f) {
                throw new InvalidRequestException(
                        id, field + ".rating", "is " + h.getRating() + ", must be >= 0");
            }
            checkVector(id, field + ".behaviour", h.getBehaviourList());
        }
        checkVector(id, "user_behaviour", r.getUserBehaviourList());
    }

    private void checkVector(String id, String field, List<Float> values)
            throws InvalidRequestException {
        if (values.size() > limits.maxBehaviourDims()) {
            throw new InvalidRequestException(
                    id,
                    field,
                    "has " + values.size() + " values, more than " + limits.maxBehaviourDims());
        }
        for (int i = 0; i < values.size(); i++) {
            if (!Float.isFinite(values.get(i))) {
                throw new InvalidRequestException(id, field + "[" + i + "]", "is not finite");
            }
        }
    }
}
