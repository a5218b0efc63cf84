package dev.duet.evaluation.nextitem;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.Split;
import dev.duet.core.sequence.SequenceModel;
import dev.duet.evaluation.calibration.LlmOptions;
import dev.duet.evaluation.calibration.ModelKind;
import dev.duet.evaluation.calibration.Routing;
import dev.duet.trainer.eval.Machine;
import dev.duet.trainer.nextitem.NextItemCase;
import dev.duet.trainer.nextitem.NextItemData;
import dev.duet.worker.ScoringBackend;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./duet eval --task next-item --llm BACKEND}: the sequence model scores each case's
 * candidates (LLaRA's protocol, the trainer's cases and candidate seeds); the cases it is least sure
 * about (entropy or 1 - top-1 margin of its softmax over the candidates, the measure picked on
 * validation) go to the LLM side, which reranks them listwise through the worker's backend code;
 * thresholds for routing budgets of 5, 10, 20 and 30 % come from validation and are applied to test.
 * HR@1 per route and overall, mean and spread over the candidate-sampling seeds. The rerank itself
 * is {@link ListwiseRerank}.
 */
public final class NextItemCollaboration {

    /** Routing budgets: the share of cases the LLM may rerank. */
    public static final double[] BUDGETS = {0.05, 0.10, 0.20, 0.30};

    private static final int MODEL_BATCH = 256;

    private final LlmOptions llm;
    private final int seedCount;
    private final PrintStream out;
    /** Candidates the sequence model had no row for in its own scoring pass: valid, test. */
    private final long[] unknownCandidates = new long[2];

    /** @param seedCount candidate-sampling seeds 1..N; 0 takes the trainer report's seeds (or 1..5) */
    public NextItemCollaboration(LlmOptions llm, int seedCount, PrintStream out) {
        this.llm = llm;
        this.seedCount = seedCount;
        this.out = out;
    }

    /** Runs the evaluation and returns the report tree; the caller writes it. */
    public Map<String, Object> run(Dataset dataset, Path modelPath) throws Exception {
        ModelKind.requireNextItem("--model", modelPath,
                "without --task next-item, eval --llm evaluates a CTR model (the CRM)");
        try (SequenceModel model = SequenceModel.load(ModelKind.file(modelPath))) {
            NextItemData data = NextItemData.from(dataset, model.maxHistory());
            NextItemProtocol protocol = NextItemProtocol.of(data, model, seedCount, out);
            out.printf("Next-item cases: %s; %d candidates, seeds %s; sequence model %s %s (%,d items)%n",
                    data.counts(), protocol.candidates(), protocol.seeds(), model.name(), model.version(), model.catalogSize());
            Uncertainty[] measures = Uncertainty.values();
            NextItemProtocol.SplitCases valid = protocol.split(Split.VALID);
            NextItemProtocol.SplitCases test = protocol.split(Split.TEST);
            List<SeedRun> validRuns = sequenceAnswers(model, valid, measures);
            List<SeedRun> testRuns = sequenceAnswers(model, test, measures);

            // Thresholds from validation, pooled over the seeds, per measure and budget.
            double[][] thresholds = new double[measures.length][BUDGETS.length];
            for (int m = 0; m < measures.length; m++) {
                double[] pooled = pooled(validRuns, m);
                for (int b = 0; b < BUDGETS.length; b++) {
                    thresholds[m][b] = Routing.threshold(pooled, BUDGETS[b]);
                }
            }
            double largest = BUDGETS[BUDGETS.length - 1];
            ListwiseRerank.Calls calls = new ListwiseRerank.Calls();
            try (ScoringBackend backend = llm.open(null)) {
                out.printf("LLM side: %s (%s)%n", backend.modelName(), BackendKind.describe(llm.backend(), backend.modelName()));
                ListwiseRerank rerank = new ListwiseRerank(backend, llm.backend(), model, dataset, llm.batch(), out);
                rerank.ask(valid, validRuns, thresholds, largest, calls);
                rerank.ask(test, testRuns, thresholds, largest, calls);
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("task", "next-item");
                report.put("dataset", data.name());
                Map<String, Object> modelFacts = new LinkedHashMap<>();
                modelFacts.put("file", model.file().toAbsolutePath().toString());
                modelFacts.put("name", model.name());
                modelFacts.put("version", model.version());
                modelFacts.put("items", model.catalogSize());
                report.put("sequence_model", modelFacts);
                Map<String, Object> llmFacts = new LinkedHashMap<>();
                llmFacts.put("backend", llm.backend());
                llmFacts.put("model_name", backend.modelName());
                llmFacts.put("model_version", backend.modelVersion());
                llmFacts.put("what_it_is", BackendKind.describe(llm.backend(), backend.modelName()));
                llmFacts.put("requests", calls.requests);
                llmFacts.put("rejected", calls.rejected);
                llmFacts.put("rejected_reasons", calls.reasons);
                llmFacts.put("seconds", calls.nanos / 1e9);
                llmFacts.put("ms_per_request", calls.requests == 0 ? 0 : calls.nanos / 1e6 / calls.requests);
                report.put("llm", llmFacts);
                report.put("next_item_collaboration", collaboration(protocol, measures, thresholds, validRuns, testRuns,
                        valid, test, model));
                report.put("machine", Machine.describe());
                return report;
            }
        }
    }

    private Map<String, Object> collaboration(NextItemProtocol protocol, Uncertainty[] measures, double[][] thresholds,
            List<SeedRun> validRuns, List<SeedRun> testRuns, NextItemProtocol.SplitCases valid,
            NextItemProtocol.SplitCases test, SequenceModel model) {
        // The measure: the higher mean validation HR@1 over the budgets with the LLM's reranking.
        Map<String, Object> choice = new LinkedHashMap<>();
        int chosen = 0;
        double best = Double.NEGATIVE_INFINITY;
        for (int m = 0; m < measures.length; m++) {
            double sum = 0;
            Map<String, Object> perBudget = new LinkedHashMap<>();
            for (int b = 0; b < BUDGETS.length; b++) {
                Row r = row(validRuns, m, thresholds[m][b], BUDGETS[b]);
                sum += r.overall.mean;
                perBudget.put(budgetKey(BUDGETS[b]), r.overall.mean);
            }
            double mean = sum / BUDGETS.length;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("valid_overall_hr@1_mean_over_budgets", mean);
            entry.put("valid_overall_hr@1_by_budget", perBudget);
            choice.put(measures[m].key(), entry);
            if (mean > best + 1e-12) {
                best = mean;
                chosen = m;
            }
        }
        out.printf("Uncertainty measure chosen on validation: %s (mean valid HR@1 over the budgets %.4f)%n",
                measures[chosen].key(), best);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("candidates", protocol.candidates());
        c.put("seeds", protocol.seeds());
        c.put("cases", Map.of("valid", valid.cases().size(), "test", test.cases().size()));
        c.put("uncertainty", measures[chosen].key());
        c.put("uncertainty_choice", choice);
        c.put("sequence_alone", Map.of("valid", stats(validRuns, r -> r.sequenceCredit).toReport(),
                "test", stats(testRuns, r -> r.sequenceCredit).toReport()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int b = 0; b < BUDGETS.length; b++) {
            Row r = row(testRuns, chosen, thresholds[chosen][b], BUDGETS[b]);
            Row v = row(validRuns, chosen, thresholds[chosen][b], BUDGETS[b]);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("budget", BUDGETS[b]);
            m.put("threshold", thresholds[chosen][b]);
            Map<String, Object> routed = new LinkedHashMap<>();
            routed.put("share", r.share.toReport());
            routed.put("hr@1", Map.of("sequence", r.routedSequence.toReport(), "llm", r.routedLlm.toReport()));
            m.put("routed", routed);
            m.put("kept", Map.of("hr@1", r.kept.toReport()));
            m.put("overall", Map.of("hr@1", r.overall.toReport()));
            m.put("valid_overall", Map.of("hr@1", v.overall.toReport()));
            rows.add(m);
            out.printf("  budget %2.0f %%: routed %.1f %% of test; routed HR@1 sequence %.4f vs LLM %.4f; overall HR@1 %.4f +- %.4f"
                    + " (sequence alone %.4f)%n", 100 * BUDGETS[b], 100 * r.share.mean, r.routedSequence.mean, r.routedLlm.mean,
                    r.overall.mean, r.overall.std, stats(testRuns, x -> x.sequenceCredit).mean);
        }
        c.put("rows", rows);
        Map<String, Object> unknown = new LinkedHashMap<>();
        unknown.put("targets", Map.of("valid", valid.unknownTargets(), "test", test.unknownTargets()));
        unknown.put("candidates_scored_minus_infinity", Map.of("valid", unknownCandidates[0], "test", unknownCandidates[1]));
        unknown.put("history_items_skipped_all_calls", model.unknownHistoryItems());
        unknown.put("rule", "a candidate unknown to the sequence model (only a target seen after training can be one) is"
                + " scored minus infinity (a miss for the sequence model), keeps its title and goes without a vector to"
                + " the LLM; history items unknown to the model are skipped by it and sent to the LLM as text only");
        c.put("unknown_to_the_model", unknown);
        return c;
    }

    private static String budgetKey(double budget) {
        return String.format(java.util.Locale.ROOT, "%.0f%%", 100 * budget);
    }

    /** Figures of one routing rule at one budget over the seeds. */
    private record Row(Stat share, Stat routedSequence, Stat routedLlm, Stat kept, Stat overall) {}

    private static Row row(List<SeedRun> runs, int measure, double threshold, double budget) {
        int s = runs.size();
        double[] share = new double[s];
        double[] routedSeq = new double[s];
        double[] routedLlm = new double[s];
        double[] kept = new double[s];
        double[] overall = new double[s];
        for (int k = 0; k < s; k++) {
            SeedRun run = runs.get(k);
            boolean[] routed = Routing.route(run.uncertainty[measure], threshold, budget);
            int n = routed.length;
            int count = 0;
            double seq = 0;
            double llm = 0;
            double keep = 0;
            for (int i = 0; i < n; i++) {
                if (routed[i]) {
                    count++;
                    seq += run.sequenceCredit[i];
                    // Asked for every case routed at the largest budget; a rejected request kept the sequence answer.
                    llm += Double.isNaN(run.llmCredit[i]) ? run.sequenceCredit[i] : run.llmCredit[i];
                } else {
                    keep += run.sequenceCredit[i];
                }
            }
            share[k] = (double) count / n;
            routedSeq[k] = count == 0 ? Double.NaN : seq / count;
            routedLlm[k] = count == 0 ? Double.NaN : llm / count;
            kept[k] = count == n ? Double.NaN : keep / (n - count);
            overall[k] = (keep + llm) / n;
        }
        return new Row(Stat.of(share), Stat.of(routedSeq), Stat.of(routedLlm), Stat.of(kept), Stat.of(overall));
    }

    private static Stat stats(List<SeedRun> runs, java.util.function.Function<SeedRun, double[]> credit) {
        double[] v = new double[runs.size()];
        for (int k = 0; k < v.length; k++) {
            v[k] = Arrays.stream(credit.apply(runs.get(k))).average().orElse(Double.NaN);
        }
        return Stat.of(v);
    }

    private static double[] pooled(List<SeedRun> runs, int measure) {
        return runs.stream().flatMapToDouble(r -> Arrays.stream(r.uncertainty[measure])).toArray();
    }

    private List<SeedRun> sequenceAnswers(SequenceModel model, NextItemProtocol.SplitCases split, Uncertainty[] measures)
            throws Exception {
        List<SeedRun> runs = new ArrayList<>();
        List<NextItemCase> cases = split.cases();
        for (String[][] candidates : split.candidatesPerSeed()) {
            SeedRun run = new SeedRun(candidates, measures.length);
            for (int from = 0; from < cases.size(); from += MODEL_BATCH) {
                int to = Math.min(cases.size(), from + MODEL_BATCH);
                List<String[]> histories = new ArrayList<>();
                List<String[]> lists = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    histories.add(cases.get(i).history().toArray(String[]::new));
                    lists.add(candidates[i]);
                }
                SequenceModel.CandidateScores scored = model.score(histories, lists);
                unknownCandidates[split.split() == Split.VALID ? 0 : 1] += scored.unknownCandidates();
                float[][] scores = scored.scores();
                for (int i = from; i < to; i++) {
                    float[] s = scores[i - from];
                    run.sequenceCredit[i] = Uncertainty.topOneCredit(s, 0);
                    for (int m = 0; m < measures.length; m++) {
                        run.uncertainty[m][i] = measures[m].of(s);
                    }
                }
            }
            runs.add(run);
        }
        return runs;
    }

    /** Mean and sample standard deviation over the seeds (NaN entries, seeds with no case, left out). */
    record Stat(double mean, double std, double[] perSeed) {
        static Stat of(double[] values) {
            double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).toArray();
            if (v.length == 0) {
                return new Stat(Double.NaN, Double.NaN, values);
            }
            double mean = Arrays.stream(v).average().orElse(Double.NaN);
            double ss = 0;
            for (double x : v) {
                ss += (x - mean) * (x - mean);
            }
            return new Stat(mean, v.length < 2 ? 0 : Math.sqrt(ss / (v.length - 1)), values);
        }

        Map<String, Object> toReport() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mean", finite(mean));
            m.put("std", finite(std));
            m.put("per_seed", Arrays.stream(perSeed).mapToObj(NextItemCollaboration::finite).toList());
            return m;
        }
    }

    /** JSON has no NaN: null stands for "no case". */
    static Object finite(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
