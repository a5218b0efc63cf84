package dev.duet.trainer;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.features.ModelContract;
import dev.duet.core.metrics.Segments;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.core.samples.SampleSplit;
import dev.duet.trainer.eval.Encoded;
import dev.duet.trainer.eval.Evaluation;
import dev.duet.trainer.eval.Machine;
import dev.duet.trainer.eval.PopularityModel;
import dev.duet.trainer.eval.ReportWriter;
import dev.duet.trainer.model.ClickModel;
import dev.duet.trainer.model.Dcnv2Config;
import dev.duet.trainer.model.Dcnv2Model;
import dev.duet.trainer.model.Dcnv2Trainer;
import dev.duet.trainer.model.EpochStats;
import dev.duet.trainer.model.LogisticRegressionConfig;
import dev.duet.trainer.model.LogisticRegressionModel;
import dev.duet.trainer.model.LogisticRegressionTrainer;
import dev.duet.trainer.model.OnnxExporter;
import dev.duet.trainer.model.TrainedModel;
import dev.duet.trainer.model.TrainingListener;
import dev.duet.trainer.teacher.SllmrTraining;
import dev.duet.trainer.teacher.TeacherPlan;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole offline pipeline behind {@code ./duet train}: samples by the protocol, the encoding,
 * the two baselines and DCNv2 on the same split, the ONNX export, and the evaluation of the
 * exported file (through ONNX Runtime, exactly as the job will score) against the baselines.
 */
public final class TrainingRun {

    /** What a run produced. */
    public record Result(Path modelFile, Map<String, Object> report, double trainSeconds) {}

    private final Dcnv2Config config;
    private final PrintStream out;
    private final TeacherPlan plan;

    public TrainingRun(Dcnv2Config config, PrintStream out) {
        this(config, out, null);
    }

    /** With S-LLMR and seed repetitions as {@code plan} says (null: the plain run). */
    public TrainingRun(Dcnv2Config config, PrintStream out, TeacherPlan plan) {
        this.config = config;
        this.out = out;
        this.plan = plan;
    }

    /** Trains on {@code dataset} and writes model.onnx and the reports into {@code outDir}. */
    public Result run(Dataset dataset, Path outDir) throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(outDir);
        SampleSplit split = SampleBuilder.build(dataset);
        out.printf("Samples (PROTOCOL.md section 1): train %,d, valid %,d, test %,d%n", split.train().size(), split.valid().size(), split.test().size());
        FeatureEncoding encoding = FeatureEncoding.fit(split.train(), dataset, config.itemPriorWeight());
        EncodedBatch train = Encoded.split(split.train(), encoding, dataset);
        EncodedBatch valid = Encoded.split(split.valid(), encoding, dataset);
        EncodedBatch test = Encoded.split(split.test(), encoding, dataset);
        out.printf("Encoding: %d embedding rows (%d users, %d items), %d genres%n", encoding.embeddingRows(),
                encoding.vocabulary(FeatureEncoding.USER).size() - 1, encoding.vocabulary(FeatureEncoding.ITEM).size() - 1, encoding.genreCount());

        Map<String, Object> seconds = new LinkedHashMap<>();
        long t = System.nanoTime();
        PopularityModel popularity = PopularityModel.fit(encoding, train);
        seconds.put("popularity", (System.nanoTime() - t) / 1e9);

        out.println("Training logistic regression (baseline)...");
        TrainedModel<LogisticRegressionModel> logreg =
                LogisticRegressionTrainer.train(encoding, train, valid, logisticRegressionConfig(config), progress("logreg"));
        seconds.put("logreg", logreg.seconds());

        out.println("Training DCNv2 (" + config + ")...");
        TrainedModel<Dcnv2Model> dcn = Dcnv2Trainer.train(encoding, train, valid, config, progress("dcnv2"));
        seconds.put("dcnv2", dcn.seconds());
        out.printf("DCNv2: best epoch %d of %d, valid AUC %.4f, %.1f s%n", dcn.bestEpoch(), dcn.epochsRun(), dcn.bestValidAuc(), dcn.seconds());

        boolean withTeacher = plan != null && plan.teacher() != null;
        Map<String, TrainedModel<Dcnv2Model>> taught = new LinkedHashMap<>();
        Map<String, Object> teacherReport = new LinkedHashMap<>();
        if (withTeacher) {
            teacherReport = teacherReport(split);
            for (SllmrTraining.Variant v : SllmrTraining.variants(plan)) {
                out.println("Training " + v.name() + ": " + v.description() + " (lambda " + v.lambda() + ", margin "
                        + plan.margin() + ")...");
                TrainedModel<Dcnv2Model> m = Dcnv2Trainer.train(encoding, train, valid, config, progress(v.name()),
                        SllmrTraining.term(v, plan, split.train(), encoding));
                seconds.put(v.name(), m.seconds());
                out.printf("%s: best epoch %d of %d, valid AUC %.4f, %.1f s%n", v.name(), m.bestEpoch(), m.epochsRun(), m.bestValidAuc(), m.seconds());
                taught.put(v.name(), m);
            }
        }

        // With a teacher the S-LLMR model is the product (model.onnx, a plain DCNv2 file); the
        // DCNv2 trained without it is exported beside it, and both are evaluated as served.
        Path modelFile = outDir.resolve("model.onnx");
        Path plainFile = withTeacher ? outDir.resolve("model-without-teacher.onnx") : modelFile;
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(ModelContract.META_DATASET, dataset.name());
        OnnxExporter.export(dcn.model(), encoding, metadata, plainFile);
        out.println("Exported " + plainFile);
        if (withTeacher) {
            OnnxExporter.export(taught.get("dcnv2_sllmr").model(), encoding, metadata, modelFile);
            out.println("Exported " + modelFile + " (DCNv2 trained with S-LLMR)");
        }

        Map<String, Object> header = header(dataset, split);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("file", modelFile.getFileName().toString());
        model.put("config", config.toString());
        model.put("best_epoch", dcn.bestEpoch());
        model.put("epochs_run", dcn.epochsRun());
        model.put("best_valid_auc", dcn.bestValidAuc());
        model.put("epochs", dcn.epochs().stream().map(TrainingRun::epoch).toList());
        Map<String, Object> report;
        Map<String, Object> overSeedsChart = null;
        try (CrmModel exported = CrmModel.load(plainFile)) {
            model.put("version", exported.version());
            header.put("model", model);
            header.put("train_seconds", dcn.seconds());
            if (withTeacher) {
                header.put("teacher", teacherReport);
            }
            header.put("machine", Machine.describe());
            Map<String, float[][]> extra = new LinkedHashMap<>();
            if (withTeacher) {
                try (CrmModel sllmr = CrmModel.load(modelFile)) {
                    extra.put("dcnv2_sllmr", new float[][] {
                        CrmScoring.probabilities(sllmr, split.test(), dataset),
                        CrmScoring.probabilities(sllmr, split.valid(), dataset)});
                }
                taught.forEach((name, m) -> extra.putIfAbsent(name, new float[][] {m.model().predict(test), m.model().predict(valid)}));
            }
            Map<String, Object> overSeeds = plan == null || plan.seeds().isEmpty() ? null
                    : new SeedRepetition(config, plan, encoding, split, dataset, train, valid, test, out, this::progress)
                            .run(dcn.model(), taught);
            seconds.put("total", (System.nanoTime() - started) / 1e9);
            header.put("seconds", seconds);
            report = evaluate(header, split, dataset, encoding, test, valid, popularity, logreg.model(), exported, extra);
            if (overSeeds != null) {
                SeedRepetition.addTo(report, overSeeds);
                overSeedsChart = overSeeds;
            }
        }
        ReportWriter.write(outDir, report, "Duet CRM training report");
        if (overSeedsChart != null) {
            SeedRepetition.chart(outDir.resolve("seeds.png"), overSeedsChart, dataset.name());
        }
        printSummary(report);
        out.println("Wrote " + outDir.resolve("report.json") + ", report.md and entropy_deciles.png");
        return new Result(modelFile, report, dcn.seconds());
    }

    /** Evaluates the exported model through ONNX Runtime beside the baselines. */
    static Map<String, Object> evaluate(
            Map<String, Object> header, SampleSplit split, Dataset dataset, FeatureEncoding encoding,
            EncodedBatch test, EncodedBatch valid, ClickModel popularity, ClickModel logreg, CrmModel crm) throws Exception {
        return evaluate(header, split, dataset, encoding, test, valid, popularity, logreg, crm, Map.of());
    }

    /** As above, with further models' {test, valid} predictions reported beside the DCNv2. */
    static Map<String, Object> evaluate(
            Map<String, Object> header, SampleSplit split, Dataset dataset, FeatureEncoding encoding,
            EncodedBatch test, EncodedBatch valid, ClickModel popularity, ClickModel logreg, CrmModel crm,
            Map<String, float[][]> extra) throws Exception {
        Segments segments = Segments.fromTraining(split.train(), dataset.items().keySet());
        Evaluation testEval = new Evaluation(split.test(), Encoded.labels(test), segments);
        Evaluation validEval = new Evaluation(split.valid(), Encoded.labels(valid), segments);
        // Report keys are fixed by the report format (README), whatever the models call themselves.
        Map<String, ClickModel> baselines = new LinkedHashMap<>();
        baselines.put("popularity", popularity);
        baselines.put("logreg", logreg);
        baselines.forEach((key, baseline) -> {
            testEval.add(key, baseline.predict(test));
            validEval.add(key, baseline.predict(valid));
        });
        testEval.add("dcnv2", CrmScoring.probabilities(crm, split.test(), dataset));
        validEval.add("dcnv2", CrmScoring.probabilities(crm, split.valid(), dataset));
        extra.forEach((name, scores) -> {
            testEval.add(name, scores[0]);
            validEval.add(name, scores[1]);
        });
        return ReportWriter.report(header, testEval, validEval, "dcnv2");
    }

    /** The baseline shares the run's seed, threads and progress cadence; its rates are its own. */
    /** The teacher's facts: file, coverage, settings, and its scoring time from the file. */
    private Map<String, Object> teacherReport(SampleSplit split) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("file", plan.teacher().file().toString());
        t.put("metadata", plan.teacher().metadata());
        int covered = SllmrTraining.covered(plan.teacher(), split.train());
        t.put("training_samples_scored", covered);
        t.put("training_samples", split.train().size());
        out.printf("Teacher %s: scores for %,d of %,d training samples%n", plan.teacher().file(), covered, split.train().size());
        if (covered == 0) {
            throw new IllegalArgumentException("--llm-teacher " + plan.teacher().file()
                    + " has no score for any training sample of this data set (written for another data set?)");
        }
        String scoring = plan.teacher().metadata().get("scoring_seconds");
        t.put("scoring_seconds", scoring == null ? null : Double.parseDouble(scoring));
        t.put("loss", plan.form() == dev.duet.trainer.model.PairwiseTeacherTerm.Form.PAIRWISE
                ? "pairwise: lambda * gate * max(0, margin - (s_hi - s_lo)) over pairs of one user's training samples"
                : "pointwise: lambda * gate * crossEntropy(sigmoid(s), teacher) per scored training sample");
        t.put("lambda", plan.lambda());
        t.put("margin", plan.margin());
        t.put("min_gap", plan.minGap());
        t.put("gate", plan.gate() == null ? "fixed at 1" : plan.gate().toString());
        if (plan.textOnly() != null) {
            t.put("text_only_file", plan.textOnly().file().toString());
            t.put("text_only_metadata", plan.textOnly().metadata());
        }
        return t;
    }

    static LogisticRegressionConfig logisticRegressionConfig(Dcnv2Config config) {
        return LogisticRegressionConfig.builder()
                .seed(config.training().seed())
                .threads(config.training().threads())
                .progressEveryBatches(config.training().progressEveryBatches())
                .build();
    }

    static Map<String, Object> header(Dataset dataset, SampleSplit split) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("dataset", dataset.name());
        Map<String, Object> samples = new LinkedHashMap<>();
        samples.put("train", split.train().size());
        samples.put("valid", split.valid().size());
        samples.put("test", split.test().size());
        header.put("samples", samples);
        return header;
    }

    private static Map<String, Object> epoch(EpochStats e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", e.epoch());
        m.put("train_loss", e.trainLoss());
        m.put("valid_auc", e.validAuc());
        m.put("seconds", e.seconds());
        return m;
    }

    TrainingListener progress(String model) {
        return new TrainingListener() {
            @Override
            public void onEpoch(EpochStats s) {
                out.printf("  %s epoch %2d: train loss %.4f, valid AUC %.4f, %.1f s%s%n", model, s.epoch(), s.trainLoss(), s.validAuc(), s.seconds(), s.best() ? "  (best so far)" : "");
            }

            private int lastQuarter = -1;

            @Override
            public void onProgress(int epoch, int done, int total, double meanLoss) {
                // At most four lines per epoch, however often the trainer reports.
                int quarter = (epoch * 4) + (4 * done / Math.max(1, total));
                if (quarter == lastQuarter) {
                    return;
                }
                lastQuarter = quarter;
                out.printf("  %s epoch %2d: %3d%% (%d/%d batches), loss %.4f%n", model, epoch, 100 * done / Math.max(1, total), done, total, meanLoss);
            }
        };
    }

    @SuppressWarnings("unchecked")
    private void printSummary(Map<String, Object> report) {
        out.println("Test results:");
        ((Map<String, Object>) report.get("models")).forEach((name, entry) -> {
            Map<String, Object> test = (Map<String, Object>) ((Map<String, Object>) entry).get("test");
            out.printf("  %-12s AUC %.4f  LogLoss %.4f  accuracy %.4f%n", name, test.get("auc"), test.get("logloss"), test.get("accuracy"));
        });
        List<Map<String, Object>> deciles = (List<Map<String, Object>>) report.get("entropy_deciles");
        if (!deciles.isEmpty()) {
            out.printf("  DCNv2 accuracy: lowest-entropy decile %.4f, highest-entropy decile %.4f%n",
                    deciles.get(0).get("accuracy"), deciles.get(deciles.size() - 1).get("accuracy"));
        }
    }
}
