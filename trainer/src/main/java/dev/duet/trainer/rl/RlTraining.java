package dev.duet.trainer.rl;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.Interaction;
import dev.duet.core.data.Split;
import dev.duet.core.sequence.SequenceModelContract;
import dev.duet.trainer.eval.Machine;
import dev.duet.trainer.nextitem.CandidateSets;
import dev.duet.trainer.nextitem.EncodedCases;
import dev.duet.trainer.nextitem.ItemVocabulary;
import dev.duet.trainer.nextitem.NextItemCase;
import dev.duet.trainer.nextitem.NextItemData;
import dev.duet.trainer.nextitem.SequenceOnnxExporter;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The RL pipeline ({@code ./duet train --task rl}): next-item cases and split as PROTOCOL.md
 * section 2, logged transitions with the protocol's rewards (section 3), optionally the text-encoder
 * environment's states and rewards and LEA's added transitions, the RL weight chosen on validation,
 * then the supervised SASRec and the variant trained with every seed and evaluated on test. The
 * first seed's variant is exported as the served sequence model (its supervised head's scores).
 */
public final class RlTraining {

    /** Rating at or above which a MovieLens next item counts as liked (reward 1, else 0.2). */
    public static final float LIKED_RATING = 4f;
    public static final float LIKED_REWARD = 1f;
    public static final float NOT_LIKED_REWARD = 0.2f;

    /** What a run produced: the exported model and the report tree. */
    public record Result(byte[] onnx, Map<String, Object> report) {}

    private RlTraining() {}

    public static Result run(Dataset dataset, RlOptions options, PrintStream out) {
        long started = System.nanoTime();
        RlConfig base = options.config();
        int length = base.encoder().maxHistory();
        NextItemData data = NextItemData.from(dataset, length);
        ItemVocabulary vocabulary = ItemVocabulary.fit(data.cases(Split.TRAIN));
        List<NextItemCase> trainCases = data.cases(Split.TRAIN);
        EncodedCases train = EncodedCases.encode(trainCases, data, vocabulary, length);
        EncodedCases valid = EncodedCases.encode(data.cases(Split.VALID), data, vocabulary, length);
        EncodedCases test = EncodedCases.encode(data.cases(Split.TEST), data, vocabulary, length);
        out.printf("RL next-item cases: train %,d, valid %,d, test %,d; %,d items%n", train.size(), valid.size(), test.size(), vocabulary.size());
        List<CandidateSets> validSets = new ArrayList<>();
        List<CandidateSets> testSets = new ArrayList<>();
        for (long seed : options.candidateSeeds()) {
            validSets.add(CandidateSets.draw(valid, vocabulary.size(), options.candidates(), seed));
            testSets.add(CandidateSets.draw(test, vocabulary.size(), options.candidates(), seed));
        }
        float[] logged = loggedRewards(dataset, trainCases);
        Transitions transitions = Transitions.logged(train.histories(), train.targets(), logged);
        out.printf("Logged rewards: %s%n", rewardSummary(logged));

        Map<String, Object> report = new LinkedHashMap<>();
        NegativeRewards negativeRewards = NegativeRewards.ZERO;
        double envSeconds = 0;
        TextEnvironment env = null;
        try {
        if (options.environment()) {
            long t = System.nanoTime();
            env = TextEnvironment.train(dataset, vocabulary, trainCases, train, valid, options.config().encoder().seed(),
                    options.config().encoder().threads(), out);
            transitions = env.apply(transitions);
            negativeRewards = env.negativeRewards(transitions);
            if (options.lea()) {
                Transitions added = env.bestActions(transitions, options.leaShare(), options.config().encoder().seed());
                out.printf("LEA: %,d transitions added (one per %.0f%% of the training transitions), rewards %s%n",
                        added.size(), 100 * options.leaShare(), rewardSummary(added.rewards()));
                transitions = transitions.plus(added);
                negativeRewards = env.negativeRewards(transitions);
            }
            envSeconds = (System.nanoTime() - t) / 1e9;
            Map<String, Object> envReport = new LinkedHashMap<>(env.report());
            envReport.put("seconds", envSeconds);
            report.put("environment", envReport);
        }

        // The RL weight: chosen on validation NDCG@10 with the first training seed.
        long firstSeed = options.seeds().get(0);
        float weight = options.weights().get(0);
        Map<String, Object> weightChoice = new LinkedHashMap<>();
        Map<Long, RunResult> firstRuns = new HashMap<>();
        RunResult chosenFirst = null;
        if (options.weights().size() > 1) {
            double best = -1;
            for (float w : options.weights()) {
                RunResult r = runOne(base.withWeight(w).withSeed(firstSeed), vocabulary, transitions, negativeRewards, valid, validSets, test, testSets, out);
                weightChoice.put(String.format(Locale.ROOT, "%.2f", w), r.valid.ndcg10());
                if (r.valid.ndcg10() > best) {
                    best = r.valid.ndcg10();
                    weight = w;
                    if (chosenFirst != null) {
                        chosenFirst.trained.close();
                    }
                    chosenFirst = r;
                } else {
                    r.trained.close();
                }
            }
            out.printf("RL weight %.2f chosen on validation NDCG@10 (tried %s)%n", weight, weightChoice);
        }
        RlConfig chosen = base.withWeight(weight);

        Map<String, Object> models = new LinkedHashMap<>();
        Map<String, Object> facts = new LinkedHashMap<>();
        byte[] onnx = null;
        List<RunResult> variantRuns = new ArrayList<>();
        for (long seed : options.seeds()) {
            RunResult r = seed == firstSeed && chosenFirst != null ? chosenFirst
                    : runOne(chosen.withSeed(seed), vocabulary, transitions, negativeRewards, valid, validSets, test, testSets, out);
            if (onnx == null) {
                Map<String, String> metadata = new LinkedHashMap<>();
                metadata.put(SequenceModelContract.META_DATASET, data.name());
                onnx = SequenceOnnxExporter.toBytes(r.trained.network().encoder(), vocabulary, metadata);
            }
            r.trained.close();
            variantRuns.add(r);
        }
        String key = options.key();
        models.put(key, summary(variantRuns));
        facts.put(key, runFacts(chosen, variantRuns));
        if (options.baseline()) {
            List<RunResult> baselineRuns = new ArrayList<>();
            RlConfig supervised = base.withVariant(RlVariant.SUPERVISED).withWeight(0f);
            Transitions loggedOnly = Transitions.logged(train.histories(), train.targets(), logged);
            for (long seed : options.seeds()) {
                RunResult r = runOne(supervised.withSeed(seed), vocabulary, loggedOnly, NegativeRewards.ZERO, valid, validSets, test, testSets, out);
                r.trained.close();
                baselineRuns.add(r);
            }
            models.put("sasrec", summary(baselineRuns));
            facts.put("sasrec", runFacts(supervised, baselineRuns));
        }

        report.put("task", "rl");
        report.put("dataset", data.name());
        report.put("split", data.splitRule());
        report.put("cases", data.counts());
        report.put("items", vocabulary.size());
        report.put("variant", key);
        report.put("rewards", options.environment()
                ? "the environment's reward model: sigmoid of its score of (state, action), for logged, sampled negative and LEA actions"
                : "logged: 1.0 liked (rating >= 4; every play of implicit data), 0.2 not liked, 0 sampled negative");
        report.put("rl_weight_choice", weightChoice.isEmpty() ? Map.of("fixed", weight) : weightChoice);
        report.put("rl_weight", weight);
        report.put("candidates", options.candidates());
        report.put("candidate_seeds", options.candidateSeeds());
        report.put("training_seeds", options.seeds());
        report.put("rl", models);
        report.put("runs", facts);
        report.put("train_seconds", variantRuns.stream().mapToDouble(r -> r.trained.seconds()).average().orElse(0) + envSeconds);
        report.put("environment_seconds", envSeconds);
        report.put("total_seconds", (System.nanoTime() - started) / 1e9);
        report.put("machine", Machine.describe());
        return new Result(onnx, report);
        } finally {
            if (env != null) {
                env.close();
            }
        }
    }

    /** One trained model's figures. */
    record RunResult(long seed, RlTrainer.Trained trained, RlMetrics.Figures valid, RlMetrics.Figures test) {}

    private static RunResult runOne(RlConfig config, ItemVocabulary vocabulary, Transitions transitions, NegativeRewards negativeRewards,
            EncodedCases valid, List<CandidateSets> validSets, EncodedCases test, List<CandidateSets> testSets, PrintStream out) {
        String name = config.variant() == RlVariant.SUPERVISED ? "sasrec" : config.variant().key();
        out.println("Training " + config + "...");
        RlTrainer.Trained trained = RlTrainer.train(config, vocabulary.rows(), transitions, negativeRewards, valid, validSets,
                new RlTrainer.Listener() {
                    @Override
                    public void onEpoch(RlTrainer.Epoch e) {
                        out.printf(Locale.ROOT, "  %s seed %d epoch %2d: train loss %.4f, valid NDCG@10 %.4f, HR@1 %.4f, %.1f s%s%s%n",
                                name, config.encoder().seed(), e.epoch(), e.trainLoss(), e.validNdcg10(), e.validHr1(), e.seconds(),
                                e.skippedSteps() > 0 ? ", " + e.skippedSteps() + " steps skipped (loss not finite)" : "",
                                e.best() ? "  (best so far)" : "");
                    }

                    @Override
                    public void onProgress(int epoch, int done, int total, double meanLoss) {
                        out.printf(Locale.ROOT, "  %s seed %d epoch %2d: %3d%% (%d/%d batches), loss %.4f%n", name, config.encoder().seed(),
                                epoch, 100 * done / total, done, total, meanLoss);
                    }
                });
        RlMetrics.Figures v = RlMetrics.evaluate(trained.network().encoder(), valid, validSets);
        RlMetrics.Figures t = RlMetrics.evaluate(trained.network().encoder(), test, testSets);
        out.printf(Locale.ROOT, "  %s seed %d: best epoch %d, %.1f s; valid NDCG@10 %.4f | test %s%n", name, config.encoder().seed(),
                trained.bestEpoch(), trained.seconds(), v.ndcg10(), format(t.values()));
        return new RunResult(config.encoder().seed(), trained, v, t);
    }

    private static String format(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format(Locale.ROOT, "%.4f", v)));
        return sb.toString();
    }

    /** {@code valid|test -> metric -> {mean, std, per_seed}} over the training seeds. */
    private static Map<String, Object> summary(List<RunResult> runs) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("valid", spread(runs.stream().map(r -> r.valid.values()).toList()));
        out.put("test", spread(runs.stream().map(r -> r.test.values()).toList()));
        return out;
    }

    static Map<String, Object> spread(List<Map<String, Double>> perSeed) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String metric : perSeed.get(0).keySet()) {
            double[] v = perSeed.stream().mapToDouble(m -> m.get(metric)).toArray();
            double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
            double ss = 0;
            for (double x : v) {
                ss += (x - mean) * (x - mean);
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("mean", mean);
            entry.put("std", v.length < 2 ? 0.0 : Math.sqrt(ss / (v.length - 1)));
            entry.put("per_seed", java.util.Arrays.stream(v).boxed().toList());
            out.put(metric, entry);
        }
        return out;
    }

    private static Map<String, Object> runFacts(RlConfig config, List<RunResult> runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", config.toString());
        m.put("best_epochs", runs.stream().map(r -> r.trained.bestEpoch()).toList());
        m.put("epochs_run", runs.stream().map(r -> r.trained.epochs().size()).toList());
        m.put("train_seconds", runs.stream().map(r -> r.trained.seconds()).toList());
        m.put("skipped_steps", runs.stream().map(r -> r.trained.epochs().stream().mapToInt(RlTrainer.Epoch::skippedSteps).sum()).toList());
        m.put("valid_ndcg@10_by_epoch", runs.stream().map(r -> r.trained.epochs().stream().map(RlTrainer.Epoch::validNdcg10).toList()).toList());
        return m;
    }

    /**
     * PROTOCOL.md section 3's logged rewards of the training cases' next items: 1.0 when liked
     * (rating >= 4; implicit data: every play), 0.2 when not.
     */
    static float[] loggedRewards(Dataset dataset, List<NextItemCase> cases) {
        float[] out = new float[cases.size()];
        if (dataset.implicitFeedback() || dataset.interactions().isEmpty()) {
            java.util.Arrays.fill(out, LIKED_REWARD);
            return out;
        }
        Map<String, Map<String, Float>> ratings = new HashMap<>();
        for (Interaction i : dataset.interactions()) {
            ratings.computeIfAbsent(i.userId(), u -> new HashMap<>()).put(i.itemId(), i.rating());
        }
        for (int i = 0; i < out.length; i++) {
            NextItemCase c = cases.get(i);
            Float rating = c.user() == null ? null : ratings.getOrDefault(c.user(), Map.of()).get(c.next());
            out[i] = rating != null && rating < LIKED_RATING ? NOT_LIKED_REWARD : LIKED_REWARD;
        }
        return out;
    }

    static String rewardSummary(float[] rewards) {
        double sum = 0;
        long liked = 0;
        for (float r : rewards) {
            sum += r;
            if (r >= LIKED_REWARD) {
                liked++;
            }
        }
        return String.format(Locale.ROOT, "%,d transitions, mean %.3f, %,d at 1.0", rewards.length, sum / Math.max(1, rewards.length), liked);
    }
}
