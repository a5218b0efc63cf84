package dev.duet.evaluation.corella;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.evaluation.cli.Main;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.core.samples.SampleSplit;
import dev.duet.core.scorer.ScorerContract;
import dev.duet.core.scorer.ScorerSettings;
import dev.duet.trainer.TrainingRun;
import dev.duet.trainer.model.Dcnv2Config;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * train-llm, then calibrate and eval with {@code --llm trained}, then export-llm-data, end to end
 * through the CLI on small synthetic data with a CRM trained here and the real MiniLM encoder.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainLlmCommandTest {

    private static final String[] DATA = {
        "--synthetic-users", "150", "--synthetic-items", "200", "--synthetic-ratings", "8000", "--seed", "3"
    };

    @TempDir static Path dir;

    private static SampleSplit split;
    private static Path crm;

    @BeforeAll
    static void trainCrm() throws Exception {
        Dataset data = new SyntheticDatasetGenerator(
                SyntheticConfig.builder().users(150).items(200).ratings(8000).seed(3).build()).generate();
        split = SampleBuilder.build(data);
        Dcnv2Config config = Dcnv2Config.builder().maxEpochs(2).embeddingDim(8).seed(1).progressEveryBatches(0).build();
        crm = new TrainingRun(config, new PrintStream(PrintStream.nullOutputStream())).run(data, dir.resolve("crm")).modelFile();
    }

    private static String[] args(String... head) {
        String[] all = new String[head.length + DATA.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(DATA, 0, all, head.length, DATA.length);
        return all;
    }

    @Test
    @Order(1)
    void trainsTheScorerWithAblationsOverSeeds() throws Exception {
        Path out = dir.resolve("llm");
        int code = Main.run(args("train-llm", "--crm", crm.getParent().toString(), "--out", out.toString(),
                "--encoder", "all-minilm-l6-v2", "--seeds", "2", "--max-epochs", "2", "--threads", "1"));

        assertThat(code).isZero();
        assertThat(out.resolve(ScorerContract.GRAPH_FILE)).isRegularFile();
        ScorerSettings settings = ScorerSettings.read(out.resolve(ScorerContract.SETTINGS_FILE));
        assertThat(settings.encoder()).isEqualTo("all-minilm-l6-v2");
        assertThat(settings.textDim()).isEqualTo(384);
        assertThat(settings.behaviourDim()).isEqualTo(8);
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        for (String variant : CorellaRun.VARIANTS) {
            JsonNode v = report.at("/summary/" + variant);
            assertThat(v.path("seeds").asInt()).as(variant).isEqualTo(2);
            assertThat(v.at("/test/budgets").size()).isEqualTo(4);
            double auc = v.at("/test/scorer_auc/mean").asDouble();
            assertThat(auc).as(variant + " test AUC").isBetween(0.5, 1.0);
        }
        // Every test sample is measured, and thresholds come from validation.
        assertThat(report.at("/runs/0/test/samples").asInt()).isEqualTo(split.test().size());
        assertThat(report.at("/thresholds").size()).isEqualTo(4);
        assertThat(Files.readString(out.resolve("report.md"))).contains("## Targets").contains("text_only");
        assertThat(out.resolve("collaboration.png")).isRegularFile();
    }

    @Test
    @Order(2)
    void calibrateAndEvalServeTheTrainedScorer() throws Exception {
        Path llm = dir.resolve("llm");
        Path calibration = dir.resolve("calibration-trained.json");
        assertThat(Main.run(args("calibrate", "--model", crm.toString(), "--llm", "trained", "--llm-model",
                llm.toString(), "--out", calibration.toString(), "--llm-threads", "1"))).isZero();
        Path out = dir.resolve("eval");
        assertThat(Main.run(args("eval", "--model", crm.toString(), "--llm", "trained", "--llm-model", llm.toString(),
                "--calibration", calibration.toString(), "--out", out.toString(), "--llm-threads", "1"))).isZero();
        JsonNode c = new ObjectMapper().readTree(out.resolve("report.json").toFile()).path("collaboration");
        assertThat(c.path("samples").asInt()).as("the whole test split by default").isEqualTo(split.test().size());
        assertThat(c.path("llm_model").asText()).startsWith("trained:");
        assertThat(c.path("rows").size()).isEqualTo(8);
        assertThat(c.at("/best/auc").isNumber()).isTrue();
        // What eval measures through the worker's backend is what train-llm measured in training.
        JsonNode trained = new ObjectMapper().readTree(llm.resolve("report.json").toFile());
        long seed = trained.at("/exported/seed").asLong();
        for (JsonNode run : trained.path("runs")) {
            if (run.path("variant").asText().equals("full") && run.path("seed").asLong() == seed) {
                assertThat(c.at("/llm/overall/auc").asDouble())
                        .isCloseTo(run.at("/test/scorer/auc").asDouble(), org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    @Order(3)
    void exportsInstructionDataWithHardnessMarked() throws Exception {
        Path file = dir.resolve("ctr.jsonl");
        assertThat(Main.run(args("export-llm-data", "--task", "ctr", "--model", crm.toString(), "--out",
                file.toString()))).isZero();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(split.train().size());
        ObjectMapper json = new ObjectMapper();
        int hard = 0;
        for (String line : lines) {
            JsonNode n = json.readTree(line);
            assertThat(n.path("prompt").asText()).startsWith("Below is the rating history of a user:")
                    .endsWith("You should ONLY answer no or yes. Answer:");
            assertThat(n.path("answer").asText()).isEqualTo(n.path("label").asInt() == 1 ? "yes" : "no");
            assertThat(n.path("crm_probability").asDouble()).isBetween(0.0, 1.0);
            assertThat(n.path("item_behaviour").size()).isEqualTo(8);
            hard += n.path("hard").asBoolean() ? 1 : 0;
        }
        // The training split's CRM is surer than on validation; some samples are still hard, not all.
        assertThat(hard).isPositive().isLessThan(lines.size());

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        int code;
        try {
            System.setErr(new PrintStream(err, true));
            code = Main.run(args("export-llm-data", "--task", "next-item", "--model", crm.toString(), "--out",
                    dir.resolve("x.jsonl").toString()));
        } finally {
            System.setErr(old);
        }
        // next-item export needs a sequence model: one line naming the option, the file and what was expected.
        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip().lines()).hasSize(1);
        assertThat(err.toString()).contains("--model " + crm).contains("is a ctr model")
                .contains("a next-item model (from ./duet train --task next-item) is expected");
        assertThat(dir.resolve("x.jsonl")).doesNotExist();
    }
}
