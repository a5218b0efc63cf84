package dev.duet.job.scoring;

import java.io.Serializable;

/** Opens a scorer for a model path; shipped to the TaskManagers with the job graph. */
@FunctionalInterface
public interface CrmScorerFactory extends Serializable {

    /**
     * @throws IllegalArgumentException when the path holds no valid model (the message says why)
     */
    CrmScorer open(String modelPath) throws Exception;
}
