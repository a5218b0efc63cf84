package dev.duet.evaluation.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.duet.evaluation.cli.Main;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.core.routing.GateWeights;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.trainer.TrainingRun;
import dev.duet.trainer.model.Dcnv2Config;
import dev.duet.worker.ScoringBackend;
import dev.duet.worker.cli.Backends;
import dev.duet.worker.internal.LogisticHead;
import dev.duet.worker.internal.TextEncoderBackend;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * calibrate and eval end to end through the CLI, on small synthetic data with a CRM trained here
 * and the real MiniLM text encoder (from its Maven artifact).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CalibrateAndEvalTest {

    /** The synthetic data of the CLI options below; the CRM is trained on exactly this. */
    private static final String[] DATA = {
        "--synthetic-users", "150", "--synthetic-items", "200", "--synthetic-ratings", "8000", "--seed", "3"
    };
    /**
     * How far below its budget a routed share may fall on test. Thresholds are quantiles of the
     * validation split (800 samples here) and the share is measured on the test split, so even
     * without any shift between the two the share has a sampling error of about
     * sqrt(b (1 - b) (1 / n_test + 1 / n_valid)): 0.028 at b = 0.3 when only 400 test samples were
     * drawn, which made 0.06 a 2.1-sigma bound that a correct router failed by chance for some CRMs
     * (0.2325 at 30 % with other dense features). The eval therefore scores every test sample
     * (0.023, 2.6 sigma) instead of loosening the bound.
     */
    private static final double TOLERANCE = 0.06;

    @TempDir static Path dir;

    private static Dataset data;
    private static Path model;
    private static Path calibration;

    @BeforeAll
    static void trainCrm() throws Exception {
        data = new SyntheticDatasetGenerator(
                SyntheticConfig.builder().users(150).items(200).ratings(8000).seed(3).build()).generate();
        Dcnv2Config config = Dcnv2Config.builder().maxEpochs(2).embeddingDim(8).seed(1).progressEveryBatches(0).build();
        model = new TrainingRun(config, new PrintStream(PrintStream.nullOutputStream())).run(data, dir.resolve("crm")).modelFile();
        calibration = dir.resolve("calibration.json");
    }

    private static String[] args(String... head) {
        String[] all = new String[head.length + DATA.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(DATA, 0, all, head.length, DATA.length);
        return all;
    }

    @Test
    @Order(1)
    void calibrateWritesAFileTheJobAndTheWorkerRead() throws Exception {
        int code = Main.run(args("calibrate", "--model", model.toString(), "--out", calibration.toString(),
                "--max-samples", "300", "--llm-threads", "1"));

        assertThat(code).isZero();
        Calibration written = Calibration.read(calibration);
        // The job's loader (routing.gate-calibration) reads the same gate.
        GateWeights gate = GateWeights.load(calibration);
        assertThat(gate).isEqualTo(written.gate());
        assertThat(gate).isNotEqualTo(GateWeights.DEFAULT);
        assertThat(written.budgets()).extracting(Calibration.Budget::share).containsExactly(0.05, 0.10, 0.20, 0.30);
        for (int i = 1; i < written.budgets().size(); i++) {
            // A larger budget reaches further down the entropy ranking.
            assertThat(written.budgets().get(i).entropyThreshold())
                    .isLessThanOrEqualTo(written.budgets().get(i - 1).entropyThreshold());
        }
        assertThat(written.details().get("samples")).isEqualTo(300);
        // The worker's head loader reads the fitted head, not the defaults.
        LogisticHead head = LogisticHead.read(calibration);
        assertThat(head.version()).startsWith("calibrated-");
        assertThat(head.weights().get("crm_logit")).isNotEqualTo(LogisticHead.defaults().weights().get("crm_logit"));
        assertThat(head.weights().get("crm_logit"))
                .isCloseTo(written.headJson().path("weights").path("crm_logit").asDouble(), within(1e-12));
        try (ScoringBackend backend = Backends.create(List.of("--backend", "text-encoder", "--threads", "1", "--head", calibration.toString()))) {
            assertThat(backend.modelVersion()).endsWith("+head-" + head.version());
            // The features calibration fits on are the ones the served head scores.
            Sample sample = SampleBuilder.build(data).valid().get(0);
            ScoreRequest request = Requests.pointwise("r", sample, data, 0.3f, new float[0], new float[0], "v");
            double[] features = ((TextEncoderBackend) backend).headFeatures(List.of(request)).get(0)[0];
            assertThat(features[3]).isCloseTo(Math.log(0.3 / 0.7), within(1e-6));
            assertThat((double) backend.scoreBatch(List.of(request)).get(0)[0])
                    .isCloseTo(LogisticHead.sigmoid(head.logit(features)), within(1e-6));
        }
    }

    @Test
    @Order(2)
    void evalReportsEveryBudgetAndRuleWithinBudget() throws Exception {
        Path out = dir.resolve("eval");
        int testSamples = dev.duet.core.samples.SampleBuilder.build(data).test().size();
        int code = Main.run(args("eval", "--model", model.toString(), "--llm", "text-encoder",
                "--calibration", calibration.toString(), "--out", out.toString(), "--max-samples", Integer.toString(testSamples),
                "--llm-threads", "1"));

        assertThat(code).isZero();
        JsonNode report = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(out.resolve("report.json").toFile());
        assertThat(report.has("models")).isTrue();
        assertThat(report.has("entropy_deciles")).isTrue();
        JsonNode collab = report.path("collaboration");
        assertThat(collab.path("samples").asInt()).isEqualTo(testSamples);
        assertThat(collab.path("crm").path("overall").path("auc").asDouble()).isBetween(0.5, 1.0);
        assertThat(collab.path("llm").path("llm_calls").asInt()).isEqualTo(testSamples);
        Set<String> seen = new HashSet<>();
        for (JsonNode row : collab.path("rows")) {
            double budget = row.path("budget").asDouble();
            double share = row.path("routed").path("share").asDouble();
            seen.add(row.path("rule").asText() + "@" + budget);
            assertThat(share).as("routed share of %s at %s", row.path("rule").asText(), budget)
                    .isLessThanOrEqualTo(budget + 1e-9)
                    .isGreaterThanOrEqualTo(budget - TOLERANCE);
            assertThat(row.path("llm_calls").asInt()).isEqualTo(row.path("routed").path("count").asInt());
            assertThat(row.path("crm_entropy_deciles").size()).isEqualTo(10);
            assertThat(row.path("cold_users").has("auc")).isTrue();
            assertThat(row.path("long_tail_items").has("auc")).isTrue();
        }
        assertThat(seen).containsExactlyInAnyOrder(
                "entropy@0.05", "entropy@0.1", "entropy@0.2", "entropy@0.3",
                "entropy+gate@0.05", "entropy+gate@0.1", "entropy+gate@0.2", "entropy+gate@0.3");
        assertThat(collab.path("best").path("delta_auc").isNumber()).isTrue();
        assertThat(Files.size(out.resolve("collaboration.png"))).isGreaterThan(1000);
        assertThat(Files.readString(out.resolve("report.md"))).contains("## Collaboration").contains("entropy+gate");
    }

    @Test
    @Order(3)
    void evalWithoutACalibrationCalibratesOnValidationFirst() throws Exception {
        Path out = dir.resolve("eval-fresh");
        int code = Main.run(args("eval", "--model", model.toString(), "--llm", "text-encoder",
                "--out", out.toString(), "--max-samples", "150", "--llm-threads", "1"));

        assertThat(code).isZero();
        assertThat(GateWeights.load(out.resolve("calibration.json"))).isNotNull();
        assertThat(Files.exists(out.resolve("collaboration.png"))).isTrue();
    }
}
