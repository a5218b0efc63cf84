package dev.duet.evaluation.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.core.metrics.BinaryMetrics;
import dev.duet.core.routing.EntropyRule;
import dev.duet.core.routing.GateWeights;
import dev.duet.core.routing.SelectiveGate;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.core.samples.SampleSplit;
import dev.duet.worker.ScoringBackend;
import dev.duet.worker.internal.LogisticHead;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fits the collaboration's moving parts on the validation split only: the text-encoder's logistic
 * head, the selective gate (where the LLM beats the CRM) and the entropy and gate thresholds of
 * each routing budget. Test data is never read.
 */
public final class Calibrator {

    /** Ridge of both logistic fits: enough to keep separable data finite, small against the data. */
    static final double RIDGE = 1e-4;

    private final LlmOptions llm;
    private final int maxSamples;
    private final long seed;
    private final int warmHistory;
    private final double headPopularity;
    private final double minEntropy;
    private final PrintStream out;

    private Calibrator(Builder b) {
        this.llm = b.llm;
        this.maxSamples = b.maxSamples;
        this.seed = b.seed;
        this.warmHistory = b.warmHistory;
        this.headPopularity = b.headPopularity;
        this.minEntropy = b.minEntropy;
        this.out = b.out;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Calibrates and writes the file; returns what it wrote. */
    public Calibration run(Dataset dataset, CrmModel crm, Path file) throws Exception {
        long started = System.nanoTime();
        SampleSplit split = SampleBuilder.build(dataset);
        List<Sample> valid = split.valid();
        if (valid.size() < 20) {
            throw new IllegalArgumentException("the validation split has only " + valid.size() + " samples: too few to calibrate");
        }
        ItemPopularityBefore popularity = ItemPopularityBefore.of(split);
        out.printf("Calibrating on the validation split of %s (%,d samples); test is not read%n", dataset.name(), valid.size());
        CrmAnswers crmAll = CrmAnswers.score(crm, valid, dataset);
        int[] drawn = SampleDraw.stratified(valid, maxSamples, seed);
        List<Sample> samples = SampleDraw.pick(valid, drawn);
        CrmAnswers crmDrawn = subset(crmAll, drawn);
        float[] labels = labels(samples);

        LlmRunner.Answers answers;
        try (ScoringBackend backend = llm.open(null)) {
            answers = new LlmRunner(backend, llm.batch(), out).run(samples, dataset, crmDrawn, crm.version(), "calibrate", true);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        float[] llmProbability = answers.probability();
        JsonNode headJson = null;
        if (answers.headFeatures() != null) {
            HeadFit head = fitHead(answers.headFeatures(), labels, dataset.name());
            headJson = new ObjectMapper().readTree(head.head().toJson());
            // The gate learns where the calibrated LLM beats the CRM; cross-fitted answers keep
            // the head's in-sample optimism out of that target.
            llmProbability = head.crossFitted();
            details.put("head_default_auc", BinaryMetrics.auc(labels, answers.probability()));
            details.put("head_default_logloss", BinaryMetrics.logLoss(labels, answers.probability()));
        }

        SelectiveGate features = new SelectiveGate(GateWeights.DEFAULT, warmHistory, headPopularity);
        double[] pop = ItemPopularityBefore.pick(popularity.valid(), drawn);
        double[][] x = new double[samples.size()][];
        double[] llmBetter = new double[samples.size()];
        int better = 0;
        for (int i = 0; i < samples.size(); i++) {
            float p = crmDrawn.probability()[i];
            x[i] = new double[] {features.cold(samples.get(i).historyLength()), features.tail(pop[i]), SelectiveGate.uncertainty(p)};
            llmBetter[i] = loss(labels[i], llmProbability[i]) < loss(labels[i], p) ? 1 : 0;
            better += (int) llmBetter[i];
        }
        LogisticFit.Result g = new LogisticFit(RIDGE).fit(x, llmBetter);
        GateWeights gate = new GateWeights(g.weights()[0], g.weights()[1], g.weights()[2], g.bias());
        float[] gateFitted = new float[x.length];
        float[] target = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            gateFitted[i] = (float) g.probability(x[i]);
            target[i] = (float) llmBetter[i];
        }
        out.printf("Gate: LLM beats the CRM on %.1f %% of %,d samples; weights cold %.3f, tail %.3f, uncertainty %.3f, bias %.3f (AUC on its target %.3f)%n",
                100.0 * better / samples.size(), samples.size(), gate.cold(), gate.tail(), gate.uncertainty(), gate.bias(),
                BinaryMetrics.auc(target, gateFitted));

        List<Calibration.Budget> budgets = budgets(split, crmAll, popularity.valid(), new SelectiveGate(gate, warmHistory, headPopularity));

        details.put("dataset", dataset.name());
        details.put("crm_model", Map.of("file", crm.file().toString(), "version", crm.version()));
        details.put("llm", Map.of("backend", llm.backend(), "worker_options", llm.workerOptions(null)));
        details.put("valid_samples", valid.size());
        details.put("samples", samples.size());
        details.put("seed", seed);
        details.put("llm_rejected", answers.rejected());
        details.put("llm_seconds", answers.seconds());
        details.put("llm_ms_per_sample", 1000 * answers.secondsPerCall());
        details.put("crm_auc", BinaryMetrics.auc(labels, crmDrawn.probability()));
        details.put("crm_logloss", BinaryMetrics.logLoss(labels, crmDrawn.probability()));
        details.put("llm_auc", BinaryMetrics.auc(labels, llmProbability));
        details.put("llm_logloss", BinaryMetrics.logLoss(labels, llmProbability));
        details.put("gate_target", "per-sample log-loss of the LLM < that of the CRM");
        details.put("gate_target_share", (double) better / samples.size());
        details.put("gate_auc", BinaryMetrics.auc(target, gateFitted));
        details.put("seconds", (System.nanoTime() - started) / 1e9);

        Calibration calibration = new Calibration(gate, warmHistory, headPopularity, minEntropy, budgets,
                headJson, details);
        calibration.write(file);
        out.printf("Validation (%,d samples): CRM AUC %.4f LogLoss %.4f, LLM AUC %.4f LogLoss %.4f; %.1f ms per LLM sample%n",
                samples.size(), details.get("crm_auc"), details.get("crm_logloss"), details.get("llm_auc"),
                details.get("llm_logloss"), details.get("llm_ms_per_sample"));
        out.println("Wrote " + file);
        return calibration;
    }

    /** Thresholds per budget over the whole validation split (CRM answers only, no LLM needed). */
    private List<Calibration.Budget> budgets(SampleSplit split, CrmAnswers crm, double[] popularity, SelectiveGate gate) {
        int[] history = split.valid().stream().mapToInt(Sample::historyLength).toArray();
        double[] entropy = Routing.entropyScores(crm.probability());
        double[] gated = Routing.gateScores(gate, minEntropy, history, popularity, crm.probability());
        List<Calibration.Budget> budgets = new ArrayList<>();
        for (double share : Calibration.BUDGETS) {
            budgets.add(new Calibration.Budget(share, Routing.threshold(entropy, share), Routing.threshold(gated, share)));
        }
        return budgets;
    }

    /** The fitted head and the 2-fold cross-fitted probabilities of the samples it was fitted on. */
    record HeadFit(LogisticHead head, float[] crossFitted) {}

    static HeadFit fitHead(double[][] features, float[] labels, String version) {
        double[] y = new double[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels[i];
        }
        LogisticFit fitter = new LogisticFit(RIDGE);
        LogisticFit.Result all = fitter.fit(features, y);
        float[] cross = new float[labels.length];
        for (int fold = 0; fold < 2; fold++) {
            List<double[]> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (i % 2 != fold) {
                    xs.add(features[i]);
                    ys.add(y[i]);
                }
            }
            LogisticFit.Result r = fitter.fit(xs.toArray(double[][]::new), ys.stream().mapToDouble(Double::doubleValue).toArray());
            for (int i = fold; i < labels.length; i += 2) {
                cross[i] = (float) r.probability(features[i]);
            }
        }
        LogisticHead head = new LogisticHead(all.bias(), all.weights(), LogisticHead.defaults().likeThreshold(),
                "calibrated-" + version.replaceAll("[^A-Za-z0-9._-]", "_"));
        return new HeadFit(head, cross);
    }

    static double loss(float label, float p) {
        double q = Math.min(1 - BinaryMetrics.EPS, Math.max(BinaryMetrics.EPS, p));
        return label > 0.5 ? -Math.log(q) : -Math.log(1 - q);
    }

    static float[] labels(List<Sample> samples) {
        float[] l = new float[samples.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = samples.get(i).label();
        }
        return l;
    }

    static CrmAnswers subset(CrmAnswers all, int[] indices) {
        float[] p = new float[indices.length];
        float[][] u = new float[indices.length][];
        float[][] v = new float[indices.length][];
        for (int k = 0; k < indices.length; k++) {
            p[k] = all.probability()[indices[k]];
            u[k] = all.userVectors()[indices[k]];
            v[k] = all.itemVectors()[indices[k]];
        }
        return new CrmAnswers(p, u, v, all.seconds() * indices.length / Math.max(1, all.size()));
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private LlmOptions llm = LlmOptions.of("text-encoder", null);
        private int maxSamples = 0;
        private long seed = 7;
        private int warmHistory = SelectiveGate.DEFAULT_WARM_HISTORY;
        private double headPopularity = SelectiveGate.DEFAULT_HEAD_POPULARITY;
        private double minEntropy = EntropyRule.DEFAULT_MIN_ENTROPY;
        private PrintStream out = System.out;

        public Builder llm(LlmOptions v) {
            this.llm = v;
            return this;
        }

        public Builder maxSamples(int v) {
            this.maxSamples = v;
            return this;
        }

        public Builder seed(long v) {
            this.seed = v;
            return this;
        }

        public Builder warmHistory(int v) {
            this.warmHistory = v;
            return this;
        }

        public Builder headPopularity(double v) {
            this.headPopularity = v;
            return this;
        }

        public Builder minEntropy(double v) {
            this.minEntropy = v;
            return this;
        }

        public Builder out(PrintStream v) {
            this.out = v;
            return this;
        }

        public Calibrator build() {
            if (llm == null) {
                throw new IllegalArgumentException("an LLM backend is required");
            }
            if (maxSamples != 0 && maxSamples < 20) {
                throw new IllegalArgumentException("--max-samples must be 0 (all) or at least 20, got " + maxSamples);
            }
            if (warmHistory < 1 || !(headPopularity > 0)) {
                throw new IllegalArgumentException("--warm-history and --head-popularity must be positive");
            }
            if (!(minEntropy >= 0 && minEntropy < 1)) {
                throw new IllegalArgumentException("--min-entropy must be in [0, 1), got " + minEntropy);
            }
            return new Calibrator(this);
        }
    }
}
