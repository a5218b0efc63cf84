package dev.duet.evaluation.corella;

import dev.duet.evaluation.calibration.Calibration;
import dev.duet.evaluation.calibration.CrmAnswers;
import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.core.samples.SampleSplit;
import dev.duet.core.scorer.ScorerContract;
import dev.duet.core.scorer.ScorerSettings;
import dev.duet.trainer.corella.ScorerConfig;
import dev.duet.trainer.corella.ScorerExporter;
import dev.duet.trainer.corella.ScorerTrainer;
import dev.duet.trainer.corella.TrainedScorer;
import dev.duet.trainer.eval.Machine;
import dev.duet.worker.internal.ScorerRequestEncoder;
import dev.duet.worker.internal.SentenceEncoder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./duet train-llm}: CoReLLa's second stage. The CRM (trained by {@code ./duet train})
 * answers every sample; its answers go into the worker requests the job would send; the scorer is
 * trained on the training split with the CRM's hardness weighting the samples and the alignment
 * loss; validation chooses the encoder, the epoch and the blend; test is only measured. The
 * ablations (without alignment, without hard-sample emphasis, text only) and 3 seeds run the same
 * way. Writes scorer.onnx + scorer.json (the full variant of the best seed on validation),
 * report.json, report.md and collaboration.png into the output folder.
 */
public final class CorellaRun {

    /** The compared training variants. */
    public static final List<String> VARIANTS = List.of("full", "no_alignment", "no_hard_emphasis", "text_only");

    private final List<ScorerConfig> candidates;
    private final List<String> encoders;
    private final int seeds;
    private final boolean ablations;
    private final int threads;
    private final boolean blendOnHard;
    private final PrintStream out;

    public CorellaRun(List<ScorerConfig> candidates, List<String> encoders, int seeds, boolean ablations, int threads,
            boolean blendOnHard, PrintStream out) {
        if (encoders.isEmpty() || seeds < 1 || candidates.isEmpty()) {
            throw new IllegalArgumentException("need at least one encoder, one configuration and one seed");
        }
        this.candidates = List.copyOf(candidates);
        this.encoders = List.copyOf(encoders);
        this.seeds = seeds;
        this.ablations = ablations;
        this.threads = threads;
        this.blendOnHard = blendOnHard;
        this.out = out;
    }

    static ScorerConfig variant(ScorerConfig base, String name, long seed) {
        ScorerConfig.Builder b = base.toBuilder().seed(seed);
        return switch (name) {
            case "full" -> b.build();
            case "no_alignment" -> b.alignWeight(0).build();
            case "no_hard_emphasis" -> b.hardnessPower(0).build();
            case "text_only" -> b.useBehaviour(false).useCrmLogit(false).alignWeight(0).build();
            default -> throw new IllegalArgumentException("unknown variant " + name);
        };
    }

    /** What one training produced and how it did. */
    record Trained(String variant, long seed, TrainedScorer scorer, ScorerTrainer.Result result,
            Map<String, Object> valid, Map<String, Object> test) {}

    public Map<String, Object> run(Dataset dataset, Path crmFile, Path outDir) throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(outDir);
        SampleSplit split = SampleBuilder.build(dataset);
        Map<String, Object> report = new LinkedHashMap<>();
        try (CrmModel crm = CrmModel.load(crmFile)) {
            out.printf("Stage 1 (the CRM, %s %s): scoring train %,d, valid %,d, test %,d samples%n", crm.name(),
                    crm.version(), split.train().size(), split.valid().size(), split.test().size());
            CrmAnswers trainCrm = CrmAnswers.score(crm, split.train(), dataset);
            CrmAnswers validCrm = CrmAnswers.score(crm, split.valid(), dataset);
            CrmAnswers testCrm = CrmAnswers.score(crm, split.test(), dataset);
            double[] thresholds = Collaboration.thresholds(validCrm.probability());

            // Encoder and configuration: the full variant, first seed, with each encoder and each
            // candidate configuration; the best on validation stays.
            Map<String, Object> encoderChoice = new LinkedHashMap<>();
            List<Map<String, Object>> grid = new ArrayList<>();
            ScorerConfig base = null;
            Map<String, Data> data = new LinkedHashMap<>();
            Trained firstOfBest = null;
            String chosen = null;
            for (String name : encoders) {
                Data d = encode(name, dataset, split, crm, trainCrm, validCrm, testCrm);
                data.put(name, d);
                double bestHere = Double.NEGATIVE_INFINITY;
                for (ScorerConfig candidate : candidates) {
                    Trained t = train(d, candidate, "full", 1, thresholds, name);
                    grid.add(Map.of("encoder", name, "config", candidate.toString(),
                            "valid_collaboration_auc_at_20", t.result().bestValidScore(),
                            "test", t.test()));
                    bestHere = Math.max(bestHere, t.result().bestValidScore());
                    if (firstOfBest == null || t.result().bestValidScore() > firstOfBest.result().bestValidScore()) {
                        firstOfBest = t;
                        chosen = name;
                        base = candidate;
                    }
                }
                encoderChoice.put(name, Map.of("valid_collaboration_auc_at_20", bestHere,
                        "seconds_to_embed", d.embedSeconds(), "text_dim", d.settings().textDim()));
            }
            out.printf("Kept on validation: encoder %s, %s%n", chosen, base);
            Data d = data.get(chosen);
            data.keySet().retainAll(List.of(chosen));

            List<Trained> runs = new ArrayList<>();
            runs.add(firstOfBest);
            for (String variant : ablations ? VARIANTS : List.of("full")) {
                for (long seed = 1; seed <= seeds; seed++) {
                    if (variant.equals("full") && seed == 1) {
                        continue;
                    }
                    runs.add(train(d, base, variant, seed, thresholds, chosen));
                }
            }
            Trained export = null;
            for (Trained t : runs) {
                if (t.variant().equals("full")
                        && (export == null || t.result().bestValidScore() > export.result().bestValidScore())) {
                    export = t;
                }
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("dataset", dataset.name());
            details.put("crm_model", Map.of("file", crmFile.toString(), "version", crm.version()));
            details.put("config", export.scorer().config().toString());
            details.put("seed", export.seed());
            details.put("best_epoch", export.result().bestEpoch());
            details.put("blend", Map.of("scorer", export.scorer().blendScorer(), "crm_logit", export.scorer().blendCrm(),
                    "bias", export.scorer().blendBias()));
            details.put("valid_collaboration_auc_at_20", export.result().bestValidScore());
            ScorerSettings settings = d.settings().withVersion(export.scorer().parameters().digest(), details);
            TrainedScorer exported = new TrainedScorer(settings, export.scorer().config(), export.scorer().parameters(),
                    export.scorer().blendScorer(), export.scorer().blendCrm(), export.scorer().blendBias());
            ScorerExporter.export(exported, Map.of("duet.scorer_version", settings.version(), "duet.encoder", chosen),
                    outDir);
            settings.write(outDir.resolve(ScorerContract.SETTINGS_FILE));
            out.printf("Exported %s and %s (full variant, seed %d, version %s)%n",
                    outDir.resolve(ScorerContract.GRAPH_FILE), ScorerContract.SETTINGS_FILE, export.seed(),
                    settings.version());

            report.put("dataset", dataset.name());
            report.put("crm", Map.of("file", crmFile.toString(), "version", crm.version()));
            report.put("samples", Map.of("train", split.train().size(), "valid", split.valid().size(), "test",
                    split.test().size()));
            report.put("encoder", chosen);
            report.put("encoder_choice", encoderChoice);
            report.put("base_config", base.toString());
            report.put("selection_grid", grid);
            report.put("blend_fitted_on", blendOnHard ? "validation samples routed at 20 %" : "all validation samples");
            report.put("budgets", java.util.Arrays.stream(Calibration.BUDGETS).boxed().toList());
            report.put("thresholds", java.util.Arrays.stream(thresholds).boxed().toList());
            report.put("exported", Map.of("variant", "full", "seed", export.seed(), "version", settings.version()));
            report.put("runs", runs.stream().map(CorellaRun::describe).toList());
            report.put("summary", CorellaReport.summary(runs.stream().map(CorellaRun::describe).toList()));
            report.put("seconds", (System.nanoTime() - started) / 1e9);
            report.put("machine", Machine.describe());
        }
        CorellaReport.write(outDir, report);
        out.println("Wrote " + outDir.resolve("report.json") + ", report.md and collaboration.png");
        return report;
    }

    /** The scorer's inputs of every split with one encoder. */
    record Data(ScorerSettings settings, ScorerData train, ScorerData valid, ScorerData test, double embedSeconds) {}

    private Data encode(String encoderName, Dataset dataset, SampleSplit split, CrmModel crm, CrmAnswers trainCrm,
            CrmAnswers validCrm, CrmAnswers testCrm) throws Exception {
        long t = System.nanoTime();
        out.printf("Embedding item texts with %s (frozen) and building the scorer's inputs...%n", encoderName);
        try (SentenceEncoder encoder = ScorerData.openEncoder(encoderName, threads)) {
            ScorerSettings settings = ScorerData.settings(crm, encoderName, ScorerData.textDim(encoder));
            ScorerRequestEncoder requests = ScorerData.requestEncoder(settings, encoder);
            ScorerData train = ScorerData.of(split.train(), dataset, crm, trainCrm, requests, out, "train");
            ScorerData valid = ScorerData.of(split.valid(), dataset, crm, validCrm, requests, out, "valid");
            ScorerData test = ScorerData.of(split.test(), dataset, crm, testCrm, requests, out, "test");
            return new Data(settings, train, valid, test, (System.nanoTime() - t) / 1e9);
        }
    }

    private Trained train(Data d, ScorerConfig base, String variant, long seed, double[] thresholds, String encoder) {
        ScorerConfig config = variant(base, variant, seed);
        String label = encoder + "/" + variant + "/seed " + seed;
        out.printf("Stage 2: training the scorer (%s): %s%n", label, config);
        ScorerData valid = d.valid();
        float[] validCrmLogit = crmLogits(valid);
        int at20 = budgetIndex(0.20);
        // The scorer answers only routed samples: its blend is calibrated where it is used (the
        // samples validation routes at 20 %), or on all of validation with --blend-on all.
        boolean[] blendRows = new boolean[valid.size()];
        if (blendOnHard) {
            blendRows = Collaboration.routed(valid.crm(), thresholds[at20], 0.20);
        } else {
            java.util.Arrays.fill(blendRows, true);
        }
        boolean[] fitRows = blendRows;
        ScorerTrainer.Result r = new ScorerTrainer(d.settings(), config, out, label).train(d.train().batch(),
                d.train().labels(), valid.batch(), z -> {
                    double[] blend = Collaboration.fitBlend(z, validCrmLogit, valid.labels(), config.useCrmLogit(), fitRows);
                    float[] p = Collaboration.sigmoid(z, validCrmLogit, blend);
                    return Collaboration.auc(valid.labels(), valid.crm(), p, thresholds[at20], 0.20);
                });
        float[] zValid = r.scorer().rawLogits(valid.batch());
        double[] blend = Collaboration.fitBlend(zValid, validCrmLogit, valid.labels(), config.useCrmLogit(), fitRows);
        TrainedScorer scorer = r.scorer().withBlend(blend[0], blend[1], blend[2]);
        Map<String, Object> v = Collaboration.measure(valid.labels(), valid.crm(), scorer.probabilities(valid.batch()),
                thresholds);
        Map<String, Object> t = Collaboration.measure(d.test().labels(), d.test().crm(),
                scorer.probabilities(d.test().batch()), thresholds);
        Map<?, ?> row = (Map<?, ?>) ((List<?>) t.get("budgets")).get(at20);
        out.printf("  %s: best epoch %d, %.0f s; test: scorer AUC %.4f, collaboration at 20 %% %.4f (CRM %.4f),"
                        + " routed part scorer %.4f vs CRM %.4f%n",
                label, r.bestEpoch(), r.seconds(), auc(t.get("scorer")), auc(row.get("overall")), auc(t.get("crm")),
                auc(row.get("routed_scorer")), auc(row.get("routed_crm")));
        return new Trained(variant, seed, scorer, r, v, t);
    }

    static double auc(Object quality) {
        return ((Number) ((Map<?, ?>) quality).get("auc")).doubleValue();
    }

    static int budgetIndex(double share) {
        for (int b = 0; b < Calibration.BUDGETS.length; b++) {
            if (Math.abs(Calibration.BUDGETS[b] - share) < 1e-9) {
                return b;
            }
        }
        throw new IllegalStateException("no budget " + share);
    }

    static float[] crmLogits(ScorerData data) {
        float[] z = new float[data.size()];
        for (int i = 0; i < z.length; i++) {
            z[i] = data.batch().crmLogit(i);
        }
        return z;
    }

    private static Map<String, Object> describe(Trained t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("variant", t.variant());
        m.put("seed", t.seed());
        m.put("config", t.scorer().config().toString());
        m.put("best_epoch", t.result().bestEpoch());
        m.put("train_seconds", t.result().seconds());
        m.put("valid_score", t.result().bestValidScore());
        m.put("blend", List.of(t.scorer().blendScorer(), t.scorer().blendCrm(), t.scorer().blendBias()));
        m.put("epochs", t.result().epochs().stream().map(e -> Map.of("epoch", e.epoch(), "train_loss", e.trainLoss(),
                "valid_score", e.validScore(), "seconds", e.seconds())).toList());
        m.put("valid", t.valid());
        m.put("test", t.test());
        return m;
    }
}
