package dev.duet.trainer;

import dev.duet.core.data.Dataset;
import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.metrics.BinaryMetrics;
import dev.duet.core.metrics.Segments;
import dev.duet.core.samples.SampleSplit;
import dev.duet.trainer.eval.Encoded;
import dev.duet.trainer.eval.Evaluation;
import dev.duet.trainer.model.Dcnv2Config;
import dev.duet.trainer.model.Dcnv2Model;
import dev.duet.trainer.model.Dcnv2Trainer;
import dev.duet.trainer.model.TrainedModel;
import dev.duet.trainer.teacher.SllmrTraining;
import dev.duet.trainer.teacher.TeacherPlan;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Trains the DCNv2 (and, with a teacher, S-LLMR and its ablations) once per model seed and
 * summarises test AUC overall and on the protocol's segments as mean and spread: one ML-100K test
 * split is too small, and one seed too noisy, to tell differences of a few thousandths apart.
 * Paired differences (same seed, with against without the teacher) are reported too.
 */
final class SeedRepetition {

    private static final String[] SEGMENTS = {"overall", "cold_users", "cold_users_strict", "long_tail_items"};

    private final Dcnv2Config config;
    private final TeacherPlan plan;
    private final FeatureEncoding encoding;
    private final SampleSplit split;
    private final EncodedBatch train;
    private final EncodedBatch valid;
    private final EncodedBatch test;
    private final PrintStream out;
    private final Function<String, dev.duet.trainer.model.TrainingListener> progress;
    private final Evaluation testEval;

    SeedRepetition(Dcnv2Config config, TeacherPlan plan, FeatureEncoding encoding, SampleSplit split, Dataset dataset,
            EncodedBatch train, EncodedBatch valid, EncodedBatch test, PrintStream out,
            Function<String, dev.duet.trainer.model.TrainingListener> progress) {
        this.config = config;
        this.plan = plan;
        this.encoding = encoding;
        this.split = split;
        this.train = train;
        this.valid = valid;
        this.test = test;
        this.out = out;
        this.progress = progress;
        this.testEval = new Evaluation(split.test(), Encoded.labels(test),
                Segments.fromTraining(split.train(), dataset.items().keySet()));
    }

    /** Per model name: the seeds' figures and their summary. */
    Map<String, Object> run(Dcnv2Model runPlain, Map<String, TrainedModel<Dcnv2Model>> runTaught) {
        long runSeed = config.training().seed();
        Map<String, Map<String, List<Double>>> figures = new LinkedHashMap<>();
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        List<SllmrTraining.Variant> variants = plan.teacher() == null ? List.of() : SllmrTraining.variants(plan);
        for (long seed : plan.seeds()) {
            Dcnv2Config c = config.toBuilder().seed(seed).build();
            Map<String, Dcnv2Model> models = new LinkedHashMap<>();
            if (seed == runSeed) {
                models.put("dcnv2", runPlain);
                runTaught.forEach((name, m) -> models.put(name, m.model()));
            } else {
                out.printf("Model seed %d: training dcnv2%s...%n", seed, variants.isEmpty() ? "" : " and " + variants.size() + " teacher variants");
                TrainedModel<Dcnv2Model> plain = Dcnv2Trainer.train(encoding, train, valid, c, progress.apply("dcnv2 seed " + seed));
                models.put("dcnv2", plain.model());
                seconds.computeIfAbsent("dcnv2", k -> new ArrayList<>()).add(plain.seconds());
                for (SllmrTraining.Variant v : variants) {
                    TrainedModel<Dcnv2Model> m = Dcnv2Trainer.train(encoding, train, valid, c,
                            progress.apply(v.name() + " seed " + seed), SllmrTraining.term(v, plan, split.train(), encoding));
                    models.put(v.name(), m.model());
                    seconds.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(m.seconds());
                }
            }
            for (Map.Entry<String, Dcnv2Model> e : models.entrySet()) {
                String key = e.getKey() + "@" + seed;
                testEval.add(key, e.getValue().predict(test));
                Map<String, List<Double>> f = figures.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>());
                f.computeIfAbsent("overall", k -> new ArrayList<>()).add(testEval.overall(key).auc());
                f.computeIfAbsent("cold_users", k -> new ArrayList<>()).add(testEval.coldUsers(key).auc());
                f.computeIfAbsent("cold_users_strict", k -> new ArrayList<>()).add(testEval.coldUsersStrict(key).auc());
                f.computeIfAbsent("long_tail_items", k -> new ArrayList<>()).add(testEval.longTailItems(key).auc());
                float[] v = e.getValue().predict(valid);
                f.computeIfAbsent("valid", k -> new ArrayList<>()).add(BinaryMetrics.auc(Encoded.labels(valid), v));
                testEval.predictions().remove(key);
                out.printf("  seed %d %-24s test AUC %.4f (cold %.4f, cold<3 %.4f, long tail %.4f), valid AUC %.4f%n", seed, e.getKey(),
                        last(f.get("overall")), last(f.get("cold_users")), last(f.get("cold_users_strict")), last(f.get("long_tail_items")), last(f.get("valid")));
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        List<Double> base = figures.get("dcnv2").get("overall");
        for (Map.Entry<String, Map<String, List<Double>>> e : figures.entrySet()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("model_seeds", plan.seeds());
            s.put("test", Map.of("auc", stats(e.getValue().get("overall"))));
            s.put("valid", Map.of("auc", stats(e.getValue().get("valid"))));
            Map<String, Object> segments = new LinkedHashMap<>();
            for (String seg : SEGMENTS) {
                if (!seg.equals("overall")) {
                    segments.put(seg, Map.of("auc", stats(e.getValue().get(seg))));
                }
            }
            s.put("segments", segments);
            if (!e.getKey().equals("dcnv2")) {
                Map<String, Object> gain = new LinkedHashMap<>();
                for (String seg : SEGMENTS) {
                    gain.put(seg, stats(difference(e.getValue().get(seg), figures.get("dcnv2").get(seg))));
                }
                s.put("paired_gain_over_dcnv2", gain);
            }
            if (seconds.containsKey(e.getKey())) {
                s.put("train_seconds_other_seeds", stats(seconds.get(e.getKey())));
            }
            summary.put(e.getKey(), s);
        }
        return summary;
    }

    /** Puts each model's summary under {@code models.<name>.over_seeds} of the report. */
    @SuppressWarnings("unchecked")
    static void addTo(Map<String, Object> report, Map<String, Object> overSeeds) {
        Map<String, Object> models = (Map<String, Object>) report.get("models");
        overSeeds.forEach((name, summary) -> ((Map<String, Object>) models.computeIfAbsent(name, k -> new LinkedHashMap<>()))
                .put("over_seeds", summary));
    }

    /** A bar chart of each model's mean test AUC over the seeds, overall and per segment. */
    @SuppressWarnings("unchecked")
    static void chart(java.nio.file.Path file, Map<String, Object> overSeeds, String dataset) throws java.io.IOException {
        List<String> categories = List.of(SEGMENTS);
        Map<String, List<Double>> series = new LinkedHashMap<>();
        int seeds = 0;
        for (Map.Entry<String, Object> e : overSeeds.entrySet()) {
            Map<String, Object> s = (Map<String, Object>) e.getValue();
            Map<String, Object> overall = (Map<String, Object>) ((Map<String, Object>) s.get("test")).get("auc");
            seeds = ((List<?>) overall.get("values")).size();
            List<Double> means = new ArrayList<>();
            means.add((Double) overall.get("mean"));
            Map<String, Object> segments = (Map<String, Object>) s.get("segments");
            for (String seg : SEGMENTS) {
                if (!seg.equals("overall")) {
                    means.add((Double) ((Map<String, Object>) ((Map<String, Object>) segments.get(seg)).get("auc")).get("mean"));
                }
            }
            series.put(e.getKey(), means);
        }
        dev.duet.trainer.report.Charts.bars(file, "Test AUC, mean over " + seeds + " model seeds (" + dataset + ")",
                "segment", "AUC", categories, series);
    }

    private static double last(List<Double> values) {
        return values.get(values.size() - 1);
    }

    private static List<Double> difference(List<Double> a, List<Double> b) {
        List<Double> d = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            d.add(a.get(i) - b.get(i));
        }
        return d;
    }

    /** Mean, sample standard deviation, min, max and the values. */
    static Map<String, Object> stats(List<Double> values) {
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= values.size();
        double var = 0;
        for (double v : values) {
            var += (v - mean) * (v - mean);
        }
        double std = values.size() > 1 ? Math.sqrt(var / (values.size() - 1)) : 0;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", mean);
        m.put("std", std);
        m.put("min", values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN));
        m.put("max", values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        m.put("values", values);
        return m;
    }
}
