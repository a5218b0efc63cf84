package dev.duet.trainer.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.Interaction;
import dev.duet.core.data.ItemInfo;
import dev.duet.trainer.nextitem.SasRecConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RL pipeline end to end on tiny chain data (seconds). */
class RlTrainingTest {

    private static final int ITEMS = 30;

    /**
     * Every user walks a chain (after item i comes i + 1 nine times in ten); ratings: 5 on the
     * chain, 2 off it, so the logged rewards are 1.0 and 0.2.
     */
    static Dataset chainData(int users, int length, long seed) {
        Random random = new Random(seed);
        List<Interaction> interactions = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            int item = random.nextInt(ITEMS);
            for (int t = 0; t < length; t++) {
                boolean onChain = t == 0 || random.nextDouble() < 0.9;
                if (t > 0) {
                    item = onChain ? (item + 1) % ITEMS : random.nextInt(ITEMS);
                }
                interactions.add(new Interaction("u" + u, "i" + item, onChain ? 5f : 2f, 1_000_000L * t + u));
            }
        }
        Map<String, ItemInfo> items = new HashMap<>();
        for (int i = 0; i < ITEMS; i++) {
            items.put("i" + i, new ItemInfo("i" + i, "Station " + i + " on the line", 0, List.of(i % 2 == 0 ? "even" : "odd")));
        }
        return new Dataset("chains", interactions, List.of(), items, Map.of(), false);
    }

    static RlOptions options(RlVariant variant, boolean env, boolean lea, int epochs) {
        return options(variant, env, lea, epochs, List.of(0.5f));
    }

    static RlOptions options(RlVariant variant, boolean env, boolean lea, int epochs, List<Float> weights) {
        SasRecConfig encoder = SasRecConfig.builder().dim(16).blocks(1).maxHistory(5).dropout(0.1f).learningRate(5e-3f)
                .batchSize(64).maxEpochs(epochs).patience(epochs).seed(1).threads(1).build();
        return new RlOptions(RlConfig.of(encoder, variant, weights.get(0)), weights, List.of(1L), true, env, lea, 0.5, 8,
                List.of(1L, 2L, 3L));
    }

    @Test
    @SuppressWarnings("unchecked")
    void snqnLearnsTheChainAsWellAsTheSupervisedModelAndTheReportHasItsKeys(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        RlTraining.Result result = RlTraining.run(chainData(100, 12, 1), options(RlVariant.SNQN, false, false, 5, List.of(0.1f, 0.5f)),
                new PrintStream(progress, true, StandardCharsets.UTF_8));
        Map<String, Object> rl = (Map<String, Object>) result.report().get("rl");
        assertThat(rl).containsOnlyKeys("snqn", "sasrec");
        for (Object model : rl.values()) {
            Map<String, Object> test = (Map<String, Object>) ((Map<String, Object>) model).get("test");
            assertThat(test).containsOnlyKeys("hr@5", "hr@10", "hr@20", "ndcg@5", "ndcg@10", "ndcg@20", "hr@1");
            assertThat((List<Double>) ((Map<String, Object>) test.get("ndcg@10")).get("per_seed")).hasSize(1);
        }
        double snqn = mean(rl, "snqn", "ndcg@10");
        double sasrec = mean(rl, "sasrec", "ndcg@10");
        // The chain makes the next item nearly certain: both must find it far above chance (10/30 items).
        assertThat(snqn).isGreaterThan(0.5);
        assertThat(sasrec).isGreaterThan(0.5);
        // With the RL weight chosen on validation, SNQN must not fall clearly below the supervised model.
        assertThat(snqn).isGreaterThan(sasrec - 0.1);
        assertThat((Map<String, Object>) result.report().get("rl_weight_choice")).containsOnlyKeys("0.10", "0.50");
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("snqn seed 1 epoch  1").contains("sasrec seed 1");
        assertThat(result.onnx()).isNotEmpty();
        RlReport.write(dir, result.report());
        assertThat(Files.readString(dir.resolve("report.md"))).contains("SNQN").contains("| snqn |");
        assertThat(dir.resolve("ndcg10.png")).isNotEmptyFile();
    }

    @Test
    @SuppressWarnings("unchecked")
    void sa2cWithTheEnvironmentAndLeaTrainsAndReportsTheEnvironment() {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        RlOptions o = options(RlVariant.SA2C, true, true, 3);
        RlTraining.Result result = RlTraining.run(chainData(60, 10, 2), o, new PrintStream(progress, true, StandardCharsets.UTF_8));
        Map<String, Object> rl = (Map<String, Object>) result.report().get("rl");
        assertThat(rl).containsKey("sa2c_env_lea");
        assertThat(mean(rl, "sa2c_env_lea", "ndcg@10")).isGreaterThan(0.3);
        Map<String, Object> env = (Map<String, Object>) result.report().get("environment");
        assertThat((String) env.get("what")).contains("not an LLM");
        Map<String, Object> reward = (Map<String, Object>) env.get("reward_model");
        // The next item against a random unseen one: a trained reward model must order most pairs.
        assertThat(((Number) reward.get("valid_pairwise_accuracy")).doubleValue()).isGreaterThan(0.6);
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("LEA:").contains("state model epoch");
    }

    @Test
    void leaWithoutTheEnvironmentIsOneClearError() {
        assertThatThrownBy(() -> options(RlVariant.SNQN, false, true, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--lea needs --env llm");
    }

    @Test
    void loggedRewardsFollowTheProtocol() {
        Dataset data = chainData(5, 6, 3);
        var cases = dev.duet.trainer.nextitem.NextItemData.from(data, 5).cases(dev.duet.core.data.Split.TRAIN);
        float[] rewards = RlTraining.loggedRewards(data, cases);
        Map<String, Float> rating = new HashMap<>();
        data.interactions().forEach(i -> rating.put(i.userId() + "/" + i.itemId(), i.rating()));
        for (int i = 0; i < cases.size(); i++) {
            float r = rating.get(cases.get(i).user() + "/" + cases.get(i).next());
            assertThat(rewards[i]).isEqualTo(r >= 4 ? 1f : 0.2f);
        }
    }

    @Test
    void transitionsShiftTheWindowAndTargetEveryPosition() {
        Transitions t = Transitions.logged(new int[][] {{0, 0, 3, 4}}, new int[] {7}, new float[] {1f});
        assertThat(t.nextHistories()[0]).containsExactly(0, 3, 4, 7);
        assertThat(t.targets()[0]).containsExactly(0, 0, 4, 7);
    }

    @SuppressWarnings("unchecked")
    private static double mean(Map<String, Object> rl, String model, String metric) {
        Map<String, Object> test = (Map<String, Object>) ((Map<String, Object>) rl.get(model)).get("test");
        return ((Number) ((Map<String, Object>) test.get(metric)).get("mean")).doubleValue();
    }
}
