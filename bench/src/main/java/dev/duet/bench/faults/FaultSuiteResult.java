package dev.duet.bench.faults;

import java.util.List;

/**
 * @param baseline the steady stream before the first fault
 * @param faults each fault's result, in the order they ran
 * @param problems every problem, each naming its fault; empty when all held
 */
public record FaultSuiteResult(FaultLedger.Counts baseline, List<FaultResult> faults, List<String> problems) {

    public boolean ok() {
        return problems.isEmpty();
    }
}
