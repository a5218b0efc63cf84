package dev.duet.evaluation.calibration;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.core.metrics.EntropyDeciles;
import dev.duet.core.metrics.Segments;
import dev.duet.core.routing.SelectiveGate;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.core.samples.SampleSplit;
import dev.duet.trainer.Evaluator;
import dev.duet.trainer.eval.Evaluation;
import dev.duet.trainer.eval.ReportWriter;
import dev.duet.trainer.model.Dcnv2Config;
import dev.duet.worker.ScoringBackend;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The offline evaluation of the collaboration on the test split: the CRM alone, the LLM alone and
 * the two routing rules at each budget, on the same seeded test samples. Everything chosen
 * (thresholds, gate, head) comes from a calibration on validation; test only measures.
 */
public final class CollaborationEvaluator {

    public static final String RULE_ENTROPY = "entropy";
    public static final String RULE_GATE = "entropy+gate";

    private final LlmOptions llm;
    private final CalibrationOptions options;
    private final PrintStream out;

    public CollaborationEvaluator(LlmOptions llm, CalibrationOptions options, PrintStream out) {
        this.llm = llm;
        this.options = options;
        this.out = out;
    }

    /**
     * Evaluates and writes report.json (CRM keys plus {@code collaboration}), report.md,
     * entropy_deciles.png and collaboration.png into {@code outDir}.
     *
     * @param calibrationFile a file from calibrate, or null to calibrate first into outDir
     */
    public Map<String, Object> run(Dataset dataset, CrmModel crm, Path calibrationFile, Path outDir) throws Exception {
        Files.createDirectories(outDir);
        Path file = calibrationFile;
        if (file == null) {
            file = outDir.resolve("calibration.json");
            out.println("No --calibration given: calibrating on validation first -> " + file);
            options.calibrator(llm, out).run(dataset, crm, file);
        }
        Calibration calibration = Calibration.read(file);
        Object calibrated = calibration.details().get("llm") instanceof Map<?, ?> m ? m.get("backend") : null;
        if (calibrated != null && !calibrated.equals(llm.backend())) {
            // Gate and thresholds say where *that* LLM beats the CRM; they do not transfer.
            throw new IllegalArgumentException(file + " was calibrated for --llm " + calibrated
                    + ", not --llm " + llm.backend() + ": calibrate again with this backend");
        }
        if (llm.isTextEncoder() && calibration.headJson() == null) {
            throw new IllegalArgumentException(file + " has no text-encoder 'head': calibrate with --llm text-encoder");
        }

        Map<String, Object> report = new Evaluator(Dcnv2Config.builder().build(), out).run(dataset, crm, outDir);

        SampleSplit split = SampleBuilder.build(dataset);
        int[] drawn = SampleDraw.stratified(split.test(), options.maxSamples(), options.seed());
        List<Sample> samples = SampleDraw.pick(split.test(), drawn);
        double[] popularity = ItemPopularityBefore.pick(ItemPopularityBefore.of(split).test(), drawn);
        float[] labels = Calibrator.labels(samples);
        out.printf("Collaboration on test: %,d of %,d samples (seed %d), calibration %s%n",
                samples.size(), split.test().size(), options.seed(), file);
        CrmAnswers crmAnswers = CrmAnswers.score(crm, samples, dataset);
        LlmRunner.Answers llmAnswers;
        String llmName;
        // The worker's own head loader reads the calibration file: what is evaluated is what serves.
        try (ScoringBackend backend = llm.open(llm.isTextEncoder() ? file : null)) {
            llmName = backend.modelName() + " " + backend.modelVersion();
            llmAnswers = new LlmRunner(backend, llm.batch(), out).run(samples, dataset, crmAnswers, crm.version(), "eval", false);
        }

        Segments segments = Segments.fromTraining(split.train(), dataset.items().keySet());
        float[] crmP = crmAnswers.probability();
        float[] llmP = llmAnswers.probability();
        double crmSeconds = crmAnswers.seconds();
        double llmPerCall = llmAnswers.secondsPerCall();
        int n = samples.size();

        Map<String, Object> collab = new LinkedHashMap<>();
        collab.put("samples", n);
        collab.put("test_samples", split.test().size());
        collab.put("seed", options.seed());
        collab.put("calibration", file.toString());
        collab.put("llm_model", llmName);
        collab.put("llm_rejected", llmAnswers.rejected());
        collab.put("crm_seconds", crmSeconds);
        collab.put("llm_ms_per_call", 1000 * llmPerCall);
        collab.put("routing_rules", Map.of(
                RULE_ENTROPY, "route the samples with the highest normalised CRM entropy (threshold: the validation quantile of the budget)",
                RULE_GATE, "samples with normalised entropy >= min_entropy ranked by the calibrated selective gate (threshold: the validation quantile of the budget)"));
        collab.put("crm", entry("crm", null, 0, samples, labels, crmP, crmP, segments, crmSeconds, 0));
        collab.put("llm", entry("llm", null, 1, samples, labels, llmP, crmP, segments, crmSeconds, n * llmPerCall));

        SelectiveGate gate = new SelectiveGate(calibration.gate(), calibration.warmHistory(), calibration.headPopularity());
        int[] history = samples.stream().mapToInt(Sample::historyLength).toArray();
        double[] entropyScores = Routing.entropyScores(crmP);
        double[] gateScores = Routing.gateScores(gate, calibration.minEntropy(), history, popularity, crmP);
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> best = null;
        double bestAuc = Double.NEGATIVE_INFINITY;
        for (String rule : List.of(RULE_ENTROPY, RULE_GATE)) {
            for (Calibration.Budget budget : calibration.budgets()) {
                boolean entropyRule = rule.equals(RULE_ENTROPY);
                double threshold = entropyRule ? budget.entropyThreshold() : budget.gateThreshold();
                boolean[] routed = Routing.route(entropyRule ? entropyScores : gateScores, threshold, budget.share());
                float[] mixed = new float[n];
                for (int i = 0; i < n; i++) {
                    mixed[i] = routed[i] ? llmP[i] : crmP[i];
                }
                int calls = Routing.count(routed);
                Map<String, Object> row = entry(rule, budget, (double) calls / n, samples, labels, mixed, crmP, segments,
                        crmSeconds, calls * llmPerCall);
                row.put("threshold", threshold);
                row.put("routed", routedPart(samples, labels, routed, crmP, llmP, segments));
                rows.add(row);
                double auc = (double) ((Map<?, ?>) row.get("overall")).get("auc");
                if (auc > bestAuc) {
                    bestAuc = auc;
                    best = row;
                }
            }
        }
        collab.put("rows", rows);
        collab.put("best", best(best, collab));
        report.put("collaboration", collab);
        ReportWriter.write(outDir, report, "Duet collaboration evaluation report");
        CollaborationReport.write(outDir, report);
        out.println("Wrote " + outDir.resolve("report.json") + ", report.md, entropy_deciles.png and collaboration.png");
        return report;
    }

    private static Map<String, Object> best(Map<String, Object> row, Map<String, Object> collab) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("rule", row.get("rule"));
        b.put("budget", row.get("budget"));
        Map<?, ?> q = (Map<?, ?>) row.get("overall");
        Map<?, ?> c = (Map<?, ?>) ((Map<?, ?>) collab.get("crm")).get("overall");
        for (String metric : List.of("auc", "logloss", "accuracy")) {
            b.put(metric, q.get(metric));
            b.put("crm_" + metric, c.get(metric));
            b.put("delta_" + metric, (double) q.get(metric) - (double) c.get(metric));
        }
        return b;
    }

    /** One row: quality overall, per CRM-entropy decile, on cold users and long-tail items, and the cost. */
    private static Map<String, Object> entry(String rule, Calibration.Budget budget, double llmShare, List<Sample> samples,
            float[] labels, float[] predictions, float[] crm, Segments segments, double crmSeconds, double llmSeconds) {
        Evaluation e = new Evaluation(samples, labels, segments).add(rule, predictions);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("rule", rule);
        row.put("budget", budget == null ? null : budget.share());
        row.put("overall", quality(e.overall(rule)));
        row.put("cold_users", quality(e.coldUsers(rule)));
        row.put("cold_users_strict", quality(e.coldUsersStrict(rule)));
        row.put("long_tail_items", quality(e.longTailItems(rule)));
        List<Map<String, Object>> deciles = new ArrayList<>();
        for (EntropyDeciles.Decile d : EntropyDeciles.compute(labels, crm, predictions, 10)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("decile", d.decile());
            m.put("count", d.count());
            m.put("auc", d.auc());
            m.put("logloss", d.logLoss());
            m.put("accuracy", d.accuracy());
            deciles.add(m);
        }
        row.put("crm_entropy_deciles", deciles);
        row.put("llm_calls", (long) Math.round(llmShare * samples.size()));
        row.put("llm_call_share", llmShare);
        row.put("llm_seconds", llmSeconds);
        row.put("llm_seconds_share", llmSeconds / Math.max(1e-12, llmSeconds + crmSeconds));
        return row;
    }

    /** The routed samples alone: how the CRM did there and how the LLM that replaced it did. */
    private static Map<String, Object> routedPart(List<Sample> samples, float[] labels, boolean[] routed, float[] crm,
            float[] llm, Segments segments) {
        Evaluation e = new Evaluation(samples, labels, segments).add("crm", crm).add("llm", llm);
        Map<String, Object> m = new LinkedHashMap<>();
        int count = Routing.count(routed);
        m.put("count", count);
        m.put("share", (double) count / samples.size());
        java.util.Set<Sample> chosen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 0; i < routed.length; i++) {
            if (routed[i]) {
                chosen.add(samples.get(i));
            }
        }
        m.put("crm", quality(e.on("crm", chosen::contains)));
        m.put("llm", quality(e.on("llm", chosen::contains)));
        return m;
    }

    static Map<String, Object> quality(Evaluation.Quality q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("auc", q.auc());
        m.put("logloss", q.logLoss());
        m.put("accuracy", q.accuracy());
        m.put("count", q.count());
        return m;
    }
}
