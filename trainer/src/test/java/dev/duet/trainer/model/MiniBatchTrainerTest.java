package dev.duet.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reproducibility, progress reporting and config validation of the shared trainer. */
class MiniBatchTrainerTest {

    private static final TestData.Encoded DATA = TestData.synthetic(200, 300, 8000, 7);

    private static Dcnv2Config.Builder small() {
        return Dcnv2Config.builder().embeddingDim(4).crossLayers(2).deepLayers(16, 8)
                .batchSize(128).maxEpochs(3).patience(3);
    }

    private static TrainedModel<Dcnv2Model> train(Dcnv2Config config, TrainingListener listener) {
        return Dcnv2Trainer.train(DATA.encoding(), DATA.train(), DATA.valid(), config, listener);
    }

    @Test
    void sameSeedAndThreadsGiveIdenticalWeights() {
        Dcnv2Model a = train(small().threads(2).build(), TrainingListener.silent()).model();
        Dcnv2Model b = train(small().threads(2).build(), TrainingListener.silent()).model();
        assertThat(a.dense()).containsExactly(b.dense());
        assertThat(a.table()).containsExactly(b.table());
        Dcnv2Model other = train(small().threads(2).seed(43).build(), TrainingListener.silent()).model();
        assertThat(other.table()).isNotEqualTo(a.table());
    }

    @Test
    void threadCountChangesOnlyRoundingOfTheResult() {
        float[] one = train(small().threads(1).build(), TrainingListener.silent()).model()
                .predict(DATA.test());
        float[] two = train(small().threads(2).build(), TrainingListener.silent()).model()
                .predict(DATA.test());
        for (int i = 0; i < one.length; i++) {
            assertThat(two[i]).isCloseTo(one[i], org.assertj.core.data.Offset.offset(2e-3f));
        }
    }

    /**
     * Polyak averaging: the model returned (and validated) is the average; a decay near 0 keeps
     * only the last step, i.e. the raw weights; training itself goes on from the raw weights.
     */
    @Test
    void weightAveragingValidatesAndReturnsTheAverage() {
        TrainedModel<Dcnv2Model> raw = train(small().threads(2).build(), TrainingListener.silent());
        TrainedModel<Dcnv2Model> averaged = train(small().threads(2).averageDecay(0.9f).build(),
                TrainingListener.silent());
        TrainedModel<Dcnv2Model> lastStep = train(small().threads(2).averageDecay(1e-6f).build(),
                TrainingListener.silent());
        assertThat(averaged.model().table()).isNotEqualTo(raw.model().table());
        for (int j = 0; j < raw.model().dense().length; j++) {
            assertThat(lastStep.model().dense()[j]).isCloseTo(raw.model().dense()[j],
                    org.assertj.core.data.Offset.offset(1e-5f));
        }
        float[] scores = averaged.model().predict(DATA.valid());
        assertThat(dev.duet.core.metrics.BinaryMetrics.auc(DATA.valid().labels, scores, DATA.valid().size()))
                .isEqualTo(averaged.bestValidAuc());
        assertThatThrownBy(() -> small().averageDecay(1f).build())
                .hasMessageContaining("averageDecay");
    }

    @Test
    void reportsEpochsAndProgress() {
        List<EpochStats> epochs = new ArrayList<>();
        List<Integer> progress = new ArrayList<>();
        TrainedModel<Dcnv2Model> trained = train(small().progressEveryBatches(10).build(),
                new TrainingListener() {
                    @Override
                    public void onEpoch(EpochStats stats) {
                        epochs.add(stats);
                    }

                    @Override
                    public void onProgress(int epoch, int done, int total, double loss) {
                        progress.add(done);
                        assertThat(loss).isFinite().isPositive();
                        assertThat(done).isLessThanOrEqualTo(total);
                    }
                });
        assertThat(epochs).hasSize(trained.epochsRun()).isEqualTo(trained.epochs());
        assertThat(epochs).extracting(EpochStats::epoch).containsExactly(1, 2, 3);
        assertThat(epochs.get(0).validAuc()).isBetween(0.5, 1.0);
        assertThat(epochs.get(2).trainLoss()).isLessThan(epochs.get(0).trainLoss());
        int batches = (DATA.train().size() + 127) / 128;
        assertThat(progress).hasSize(3 * (batches / 10));
    }

    @Test
    void buildRejectsSettingsThatCannotTrain() {
        assertThatThrownBy(() -> Dcnv2Config.builder().embeddingDim(0).build())
                .hasMessageContaining("embeddingDim");
        assertThatThrownBy(() -> Dcnv2Config.builder().learningRate(-1).build())
                .hasMessageContaining("learningRate");
        assertThatThrownBy(() -> Dcnv2Config.builder().deepLayers(64, 0).build())
                .hasMessageContaining("deepLayers");
        assertThatThrownBy(() -> Dcnv2Config.builder().userIdDropout(1f).build())
                .hasMessageContaining("userIdDropout");
        assertThatThrownBy(() -> LogisticRegressionConfig.builder().batchSize(0).build())
                .hasMessageContaining("batchSize");
    }
}
