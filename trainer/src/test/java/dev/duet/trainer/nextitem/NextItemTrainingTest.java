package dev.duet.trainer.nextitem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.Interaction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The harness end to end on tiny data with a sequential pattern only a sequence model can use. */
class NextItemTrainingTest {

    private static final int ITEMS = 30;

    /**
     * Every user walks a chain: after item i comes item i + 1 (mod 30) nine times out of ten, a
     * random item otherwise. Popularity cannot see the chain; SASRec and item-kNN can.
     */
    static Dataset chainData(int users, int length, long seed) {
        Random random = new Random(seed);
        List<Interaction> interactions = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            int item = random.nextInt(ITEMS);
            for (int t = 0; t < length; t++) {
                interactions.add(new Interaction("u" + u, "i" + item, 4f, 1_000_000L * t + u));
                item = random.nextDouble() < 0.9 ? (item + 1) % ITEMS : random.nextInt(ITEMS);
            }
        }
        return new Dataset("chains", interactions, List.of(), Map.of(), Map.of(), false);
    }

    static NextItemOptions tinyOptions(long seed, int epochs) {
        SasRecConfig config = SasRecConfig.builder().dim(16).blocks(2).maxHistory(5).dropout(0.1f).learningRate(5e-3f)
                .batchSize(64).maxEpochs(epochs).patience(epochs).seed(seed).threads(1).build();
        // 8 candidates: a user of these chains has seen most of the 30 items.
        return new NextItemOptions(config, 8, List.of(1L, 2L, 3L, 4L, 5L), List.of(1.0, 0.5));
    }

    @Test
    @SuppressWarnings("unchecked")
    void sasrecLearnsTheChainAndBeatsPopularityAndTheReportHasItsKeys() {
        NextItemData data = NextItemData.from(chainData(120, 12, 1), 5);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try (NextItemTraining.Result result = NextItemTraining.train(data, tinyOptions(1, 6),
                new PrintStream(progress, true, StandardCharsets.UTF_8))) {
            Map<String, Object> report = result.report();
            @SuppressWarnings("unchecked")
            Map<String, Object> nextItem = (Map<String, Object>) report.get("next_item");
            assertThat(nextItem.get("candidates")).isEqualTo(8);
            assertThat(nextItem.get("seeds")).isEqualTo(List.of(1L, 2L, 3L, 4L, 5L));
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Map<String, Object>>> models = (Map<String, Map<String, Map<String, Object>>>) nextItem.get("models");
            assertThat(models).containsOnlyKeys("popularity", "item_knn", "sasrec");
            for (Map<String, Map<String, Object>> model : models.values()) {
                assertThat(model).containsOnlyKeys("valid", "test");
                for (Map<String, Object> split : model.values()) {
                    assertThat(split).containsKeys("hr@1", "hr@10", "ndcg@10");
                    assertThat(((Map<String, Object>) split.get("hr@1")).keySet()).contains("mean", "std");
                }
            }
            double sasrec = hr1(models, "sasrec");
            double popularity = hr1(models, "popularity");
            assertThat(sasrec).as("SASRec test HR@1").isGreaterThan(0.7).isGreaterThan(popularity + 0.3);
            assertThat(hr1(models, "item_knn")).isGreaterThan(popularity);
            assertThat(report.get("train_seconds")).isInstanceOf(Double.class);
            assertThat(((Map<String, Object>) report.get("cases")).keySet()).containsExactly("train", "valid", "test");
            assertThat(result.onnx()).isNotEmpty();
            assertThat(progress.toString(StandardCharsets.UTF_8)).contains("sasrec epoch  1: train loss").contains("valid HR@1");
            assertThat(result.epochs()).hasSize(6);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void gru4recJoinsTheReportWhenAskedAndLearnsTheChainToo() {
        NextItemData data = NextItemData.from(chainData(120, 12, 1), 5);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (NextItemTraining.Result result = NextItemTraining.train(data, tinyOptions(1, 6).withGru4Rec(true), quiet)) {
            Map<String, Object> nextItem = (Map<String, Object>) result.report().get("next_item");
            Map<String, Map<String, Map<String, Object>>> models = (Map<String, Map<String, Map<String, Object>>>) nextItem.get("models");
            assertThat(models).containsOnlyKeys("popularity", "item_knn", "sasrec", "gru4rec");
            assertThat(hr1(models, "gru4rec")).as("GRU4Rec test HR@1").isGreaterThan(0.7).isGreaterThan(hr1(models, "popularity") + 0.3);
            assertThat(result.report()).containsKey("gru4rec");
            assertThat(((Map<String, Object>) result.report().get("seconds"))).containsKey("gru4rec");
            assertThat(result.gru4recOnnx()).isNotEmpty();
        }
        try (NextItemTraining.Result without = NextItemTraining.train(data, tinyOptions(1, 1), quiet)) {
            assertThat(without.gru4recOnnx()).isEmpty();
            assertThat(without.report()).doesNotContainKey("gru4rec");
        }
    }

    @Test
    void theSameSeedGivesTheSameLossesAndAnotherSeedOthers() {
        NextItemData data = NextItemData.from(chainData(60, 10, 2), 5);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        List<Double> first;
        List<Double> again;
        List<Double> other;
        try (NextItemTraining.Result a = NextItemTraining.train(data, tinyOptions(7, 2), quiet)) {
            first = a.epochs().stream().map(SasRecTrainer.Epoch::trainLoss).toList();
        }
        try (NextItemTraining.Result b = NextItemTraining.train(data, tinyOptions(7, 2), quiet)) {
            again = b.epochs().stream().map(SasRecTrainer.Epoch::trainLoss).toList();
        }
        try (NextItemTraining.Result c = NextItemTraining.train(data, tinyOptions(8, 2), quiet)) {
            other = c.epochs().stream().map(SasRecTrainer.Epoch::trainLoss).toList();
        }
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @SuppressWarnings("unchecked")
    private static double hr1(Map<String, Map<String, Map<String, Object>>> models, String model) {
        return ((Number) ((Map<String, Object>) models.get(model).get("test").get("hr@1")).get("mean")).doubleValue();
    }
}
