package dev.duet.bench.faults;

import java.util.List;

/**
 * What one fault did to the stream written while it lasted (from the phase's start to the next
 * phase's).
 *
 * @param fault the fault
 * @param counts inputs of the phase and their outputs
 * @param llmRecoverySeconds from {@code recoveryFrom} to the ingest of the first input answered on
 *     route llm at or after it; null when none came within the recovery timeout
 * @param recoveryFrom what the LLM recovery is measured from
 * @param repairSeconds from the fault to the repaired process serving again (worker answering,
 *     job ingesting, broker answering)
 * @param breakersClosedSeconds worker faults: the longest, over the restarted workers, from a worker
 *     serving again until every circuit breaker of the job's pool that had opened for it closed
 *     (the job's log); null when none closed
 * @param stateSurvived whether the probe user's features matched before and after
 * @param probeInteractionsBefore the probe user's {@code user_interactions} before the fault
 * @param probeInteractionsAfter the same after the fault; -1 when the probe got no answer
 * @param probeMaxScoreDifference largest difference of the probe request's CRM scores (same
 *     candidates, same time) before and after; NaN when not comparable
 * @param resumedFrom for job-crash: the job's log line naming the checkpoint it resumed from
 * @param problems what went wrong, empty when all held
 */
public record FaultResult(Fault fault, FaultLedger.Counts counts, Double llmRecoverySeconds, String recoveryFrom,
        double repairSeconds, Double breakersClosedSeconds, boolean stateSurvived, long probeInteractionsBefore, long probeInteractionsAfter,
        double probeMaxScoreDifference, String resumedFrom, List<String> problems) {

    public boolean ok() {
        return problems.isEmpty();
    }
}
