package dev.duet.job.scoring;

import dev.duet.core.crm.CrmScores;
import java.util.List;

/**
 * Scores click-through samples in one call: the seam between the job and ONNX Runtime, so that
 * operator tests can use a scorer without a model file.
 */
public interface CrmScorer extends AutoCloseable {

    /** The version of the model that produces the scores (named by every output). */
    String version();

    /** Scores the rows in one batch; row i of the result answers {@code rows.get(i)}. */
    CrmScores score(List<ScoringRow> rows) throws Exception;
}
