package dev.duet.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.metrics.BinaryMetrics;
import org.junit.jupiter.api.Test;

/**
 * Trains the default DCNv2 and the logistic-regression baseline on MovieLens-100K (PROTOCOL.md
 * section 1 split) and holds DCNv2 to its measured quality. Under this time split 86 % of test rows
 * belong to users never seen in training, which caps what id embeddings can add; the measured test
 * AUC with the defaults (dim 8, lr 3e-4) is 0.7574 at seed 42 and 0.7589 +- 0.0015 over seeds 42 to
 * 46 (baseline 0.7470; docs/sllmr.md, "Targets").
 */
class Dcnv2TrainingTest {

    @Test
    void defaultConfigBeatsTheLinearBaselineOnMovieLens100k() {
        TestData.Encoded data = TestData.ml100k();
        int n = data.test().size();
        TrainedModel<LogisticRegressionModel> baseline = LogisticRegressionTrainer.train(
                data.encoding(), data.train(), data.valid(),
                LogisticRegressionConfig.builder().build(), TrainingListener.silent());
        double baselineAuc = BinaryMetrics.auc(data.test().labels,
                baseline.model().predict(data.test()), n);

        TrainedModel<Dcnv2Model> trained = Dcnv2Trainer.train(data.encoding(), data.train(),
                data.valid(), Dcnv2Config.builder().build(), stats -> System.out.printf(
                        "dcnv2 epoch %d: loss %.4f, valid AUC %.4f, %.1f s%n", stats.epoch(),
                        stats.trainLoss(), stats.validAuc(), stats.seconds()));
        float[] scores = trained.model().predict(data.test());
        double testAuc = BinaryMetrics.auc(data.test().labels, scores, n);
        System.out.printf("ml-100k test AUC: dcnv2 %.4f (LogLoss %.4f, best epoch %d of %d,"
                        + " %.1f s), logistic regression %.4f (%.1f s)%n",
                testAuc, BinaryMetrics.logLoss(data.test().labels, scores, n), trained.bestEpoch(),
                trained.epochsRun(), trained.seconds(), baselineAuc, baseline.seconds());

        assertThat(baselineAuc).isGreaterThan(0.72);
        assertThat(testAuc).isGreaterThanOrEqualTo(0.745);
        assertThat(testAuc).isGreaterThan(baselineAuc + 0.005);
        assertThat(BinaryMetrics.logLoss(data.test().labels, scores, n)).isLessThan(0.62);
        // Early stopping kept the best epoch's weights.
        EpochStats best = trained.epochs().get(trained.bestEpoch() - 1);
        assertThat(trained.bestValidAuc()).isEqualTo(best.validAuc());
        float[] valid = trained.model().predict(data.valid());
        assertThat(BinaryMetrics.auc(data.valid().labels, valid, data.valid().size()))
                .isCloseTo(best.validAuc(), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(trained.epochsRun()).isLessThanOrEqualTo(trained.bestEpoch() + 2);

        // Above the item-popularity baseline too (the target of 0.77 is not reached: see
        // the closing note of issue 2 for the analysis of this split).
        dev.duet.trainer.eval.PopularityModel popularity =
                dev.duet.trainer.eval.PopularityModel.fit(data.encoding(), data.train());
        assertThat(testAuc).isGreaterThan(
                BinaryMetrics.auc(data.test().labels, popularity.predict(data.test()), n) + 0.02);
        // CoReLLa's observation: the model is clearly less accurate where it is least certain.
        java.util.List<dev.duet.core.metrics.EntropyDeciles.Decile> deciles =
                dev.duet.core.metrics.EntropyDeciles.compute(
                        java.util.Arrays.copyOf(data.test().labels, n), scores);
        assertThat(deciles).hasSize(10);
        assertThat(deciles.get(9).accuracy()).isLessThan(deciles.get(0).accuracy() - 0.2);
        assertThat(deciles.get(9).entropyLo()).isGreaterThan(deciles.get(0).entropyHi());
    }
}
