package dev.duet.evaluation.calibration;

import dev.duet.core.routing.EntropyRule;
import dev.duet.core.routing.SelectiveGate;
import picocli.CommandLine.Option;

/** Options of the validation-side fit, shared by calibrate and by eval when it calibrates first. */
public final class CalibrationOptions {

    @Option(names = "--max-samples", defaultValue = "0",
            description = "Most samples the LLM answers per split (seeded, label-stratified draw); 0: the whole split. Default: ${DEFAULT-VALUE}.")
    int maxSamples;

    @Option(names = "--sample-seed", defaultValue = "7",
            description = "Seed of the sample draw. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--warm-history", defaultValue = "" + SelectiveGate.DEFAULT_WARM_HISTORY,
            description = "Gate: history length from which a user is warm (the job's routing.warm-history). Default: ${DEFAULT-VALUE}.")
    int warmHistory;

    @Option(names = "--head-popularity", defaultValue = "" + SelectiveGate.DEFAULT_HEAD_POPULARITY,
            description = "Gate: popularity from which an item is a head item (the job's routing.head-popularity). Default: ${DEFAULT-VALUE}.")
    double headPopularity;

    @Option(names = "--min-entropy", defaultValue = "" + EntropyRule.DEFAULT_MIN_ENTROPY,
            description = "Entropy floor of the gate rule (the job's routing.min-entropy). Default: ${DEFAULT-VALUE}.")
    double minEntropy;

    public Calibrator calibrator(LlmOptions llm, java.io.PrintStream out) {
        return Calibrator.builder().llm(llm).maxSamples(maxSamples).seed(seed).warmHistory(warmHistory)
                .headPopularity(headPopularity).minEntropy(minEntropy).out(out).build();
    }

    public int maxSamples() {
        return maxSamples;
    }

    public long seed() {
        return seed;
    }
}
