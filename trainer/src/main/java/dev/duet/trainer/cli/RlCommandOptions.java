package dev.duet.trainer.cli;

import dev.duet.trainer.nextitem.NextItemOptions;
import dev.duet.trainer.rl.RlConfig;
import dev.duet.trainer.rl.RlOptions;
import dev.duet.trainer.rl.RlVariant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import picocli.CommandLine.Option;

/** The options of {@code train --task rl} (docs/rl.md); the encoder's come from the next-item and model options. */
public final class RlCommandOptions {

    @Option(names = "--variant", paramLabel = "snqn|sa2c", description = "rl: the RL framework on the SASRec encoder (default: ${DEFAULT-VALUE}).", defaultValue = "snqn")
    String variant;

    @Option(names = "--env", paramLabel = "llm", description = "rl: 'llm' trains the heads with the environment's states and rewards (a pretrained text encoder with trained adapters).")
    String env;

    @Option(names = "--lea", description = "rl: add the environment's best positive actions as extra transitions (needs --env llm).")
    boolean lea;

    @Option(names = "--lea-share", description = "rl: share of the training transitions that get one LEA transition (default: ${DEFAULT-VALUE}).", defaultValue = "0.25")
    double leaShare;

    @Option(names = "--rl-weights", split = ",", paramLabel = "W", description = "rl: RL loss weights to choose from on validation (default: ${DEFAULT-VALUE}).", defaultValue = "0.2,1.0")
    List<Float> weights;

    @Option(names = "--training-seeds", description = "rl: training seeds 1..N, each model trained once per seed (default: ${DEFAULT-VALUE}).", defaultValue = "3")
    int trainingSeeds;

    @Option(names = "--no-baseline", description = "rl: do not train the supervised SASRec beside the variant.")
    boolean noBaseline;

    RlOptions options(NextItemOptions nextItem) {
        if (env != null && !env.equals("llm")) {
            throw new IllegalArgumentException("--env must be 'llm', got '" + env + "'");
        }
        if (trainingSeeds < 1) {
            throw new IllegalArgumentException("--training-seeds must be at least 1, got " + trainingSeeds);
        }
        RlConfig config = RlConfig.of(nextItem.sasrec(), RlVariant.parse(variant, "--variant"), weights.get(0));
        return new RlOptions(config, weights, LongStream.rangeClosed(1, trainingSeeds).boxed().toList(), !noBaseline,
                env != null, lea, leaShare, nextItem.candidates(), nextItem.candidateSeeds());
    }

    @Override
    public String toString() {
        return "variant " + variant + ", env " + env + ", lea " + lea + ", weights " + Arrays.toString(weights.toArray());
    }
}
