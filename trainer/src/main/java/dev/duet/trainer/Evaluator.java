package dev.duet.trainer;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.core.samples.SampleSplit;
import dev.duet.trainer.eval.Encoded;
import dev.duet.trainer.eval.Machine;
import dev.duet.trainer.eval.PopularityModel;
import dev.duet.trainer.eval.ReportWriter;
import dev.duet.trainer.model.Dcnv2Config;
import dev.duet.trainer.model.LogisticRegressionConfig;
import dev.duet.trainer.model.LogisticRegressionModel;
import dev.duet.trainer.model.LogisticRegressionTrainer;
import dev.duet.trainer.model.TrainedModel;
import dev.duet.trainer.model.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Evaluates an exported model on a data set with the training report's method: the same split, the
 * model's own encoding (from its file), and the baselines refitted on the same training split.
 */
public final class Evaluator {

    private final Dcnv2Config baselineConfig;
    private final PrintStream out;

    public Evaluator(Dcnv2Config baselineConfig, PrintStream out) {
        this.baselineConfig = baselineConfig;
        this.out = out;
    }

    public Map<String, Object> run(Dataset dataset, CrmModel crm, Path outDir) throws Exception {
        SampleSplit split = SampleBuilder.build(dataset);
        FeatureEncoding encoding = crm.encoding();
        out.printf("Evaluating %s (%s, version %s) on %s: test %,d samples%n", crm.file(), crm.name(), crm.version(), dataset.name(), split.test().size());
        EncodedBatch train = Encoded.split(split.train(), encoding, dataset);
        EncodedBatch valid = Encoded.split(split.valid(), encoding, dataset);
        EncodedBatch test = Encoded.split(split.test(), encoding, dataset);
        PopularityModel popularity = PopularityModel.fit(encoding, train);
        out.println("Refitting the logistic-regression baseline on the training split...");
        TrainedModel<LogisticRegressionModel> logreg =
                LogisticRegressionTrainer.train(encoding, train, valid, TrainingRun.logisticRegressionConfig(baselineConfig), TrainingListener.silent());
        Map<String, Object> header = TrainingRun.header(dataset, split);
        header.put("model", Map.of("file", crm.file().toString(), "version", crm.version(), "name", crm.name()));
        header.put("machine", Machine.describe());
        Map<String, Object> report = TrainingRun.evaluate(header, split, dataset, encoding, test, valid, popularity, logreg.model(), crm);
        ReportWriter.write(outDir, report, "Duet CRM evaluation report");
        out.println("Wrote " + outDir.resolve("report.json") + ", report.md and entropy_deciles.png");
        return report;
    }
}
