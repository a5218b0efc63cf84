package dev.duet.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.trainer.teacher.TeacherScores;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands end to end on small synthetic data: files, report keys, and clear errors. */
class TrainCommandTest {

    @TempDir Path temp;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private int run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void trainWritesModelAndReportsThenEvalReproducesThem() throws Exception {
        Path runDir = temp.resolve("run");
        int code = run("train", "--synthetic-users", "150", "--synthetic-items", "200", "--synthetic-ratings", "6000",
                "--epochs", "2", "--out", runDir.toString());
        assertThat(code).as(err.toString()).isZero();
        for (String file : new String[] {"model.onnx", "report.json", "report.md", "entropy_deciles.png"}) {
            assertThat(runDir.resolve(file)).isNotEmptyFile();
        }
        JsonNode report = new ObjectMapper().readTree(runDir.resolve("report.json").toFile());
        assertThat(report.path("dataset").asText()).startsWith("synthetic");
        assertThat(report.path("samples").path("train").asInt()).isGreaterThan(4000);
        for (String model : new String[] {"popularity", "logreg", "dcnv2"}) {
            JsonNode test = report.path("models").path(model).path("test");
            assertThat(test.path("auc").asDouble()).as(model).isBetween(0.5, 1.0);
            assertThat(test.path("logloss").asDouble()).as(model).isPositive();
            assertThat(test.path("accuracy").asDouble()).as(model).isBetween(0.0, 1.0);
        }
        assertThat(report.path("entropy_deciles")).hasSize(10);
        assertThat(report.path("entropy_deciles").get(0).has("entropy_lo")).isTrue();
        assertThat(report.path("segments").path("cold_users").path("count").asInt()).isPositive();
        assertThat(report.path("segments").path("long_tail_items").path("dcnv2").has("auc")).isTrue();
        assertThat(report.path("train_seconds").asDouble()).isPositive();
        assertThat(out.toString()).contains("dcnv2 epoch  1").contains("Test results:");

        Path evalDir = temp.resolve("eval");
        code = run("eval", "--synthetic-users", "150", "--synthetic-items", "200", "--synthetic-ratings", "6000",
                "--model", runDir.toString(), "--out", evalDir.toString());
        assertThat(code).as(err.toString()).isZero();
        JsonNode again = new ObjectMapper().readTree(evalDir.resolve("report.json").toFile());
        // The same exported file on the same split gives the same DCNv2 numbers.
        assertThat(again.path("models").path("dcnv2").path("test").path("auc").asDouble())
                .isEqualTo(report.path("models").path("dcnv2").path("test").path("auc").asDouble());
        assertThat(evalDir.resolve("entropy_deciles.png")).isNotEmptyFile();
    }

    /**
     * S-LLMR end to end: a teacher file for the training samples (here a noisy oracle of the label),
     * the S-LLMR model exported as model.onnx (a plain DCNv2 file), the model without the teacher
     * beside it, ablations, and the summary over two model seeds.
     */
    @Test
    void trainWithATeacherReportsBothModelsAblationsAndSeeds() throws Exception {
        Dataset dataset = new SyntheticDatasetGenerator(SyntheticConfig.builder().users(150).items(200).ratings(6000).seed(42).build())
                .generate();
        List<Sample> train = SampleBuilder.build(dataset).train();
        float[] scores = new float[train.size()];
        Random random = new Random(1);
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) Math.min(1, Math.max(0, 0.3 + 0.4 * train.get(i).label() + 0.2 * random.nextGaussian()));
        }
        Path teacherDir = temp.resolve("teacher");
        TeacherScores.write(teacherDir.resolve(TeacherScores.FILE_NAME), train, scores, Map.of("scoring_seconds", "12.5"));
        Path runDir = temp.resolve("run");
        int code = run("train", "--synthetic-users", "150", "--synthetic-items", "200", "--synthetic-ratings", "6000",
                "--epochs", "2", "--out", runDir.toString(), "--llm-teacher", teacherDir.toString(),
                "--teacher-text-only", teacherDir.toString(), "--ablations", "--model-seeds", "42,43");
        assertThat(code).as(err.toString()).isZero();
        assertThat(runDir.resolve("model.onnx")).isNotEmptyFile();
        assertThat(runDir.resolve("model-without-teacher.onnx")).isNotEmptyFile();
        assertThat(runDir.resolve("seeds.png")).isNotEmptyFile();
        JsonNode report = new ObjectMapper().readTree(runDir.resolve("report.json").toFile());
        JsonNode models = report.path("models");
        for (String model : new String[] {"dcnv2", "dcnv2_sllmr", "dcnv2_sllmr_gate_off", "dcnv2_sllmr_gate_one", "dcnv2_sllmr_text_only"}) {
            assertThat(models.path(model).path("test").path("auc").asDouble()).as(model).isBetween(0.5, 1.0);
            JsonNode seeds = models.path(model).path("over_seeds");
            assertThat(seeds.path("test").path("auc").path("values")).as(model).hasSize(2);
            assertThat(seeds.path("test").path("auc").path("std").asDouble()).as(model).isGreaterThanOrEqualTo(0);
            assertThat(seeds.path("segments").path("long_tail_items").path("auc").has("mean")).as(model).isTrue();
            assertThat(report.path("segments").path("cold_users").path(model).has("auc")).as(model).isTrue();
        }
        assertThat(models.path("dcnv2_sllmr").path("over_seeds").path("paired_gain_over_dcnv2").path("overall").has("mean")).isTrue();
        // The seed of the run is the exported one: its figure is the seeds' first value.
        assertThat(models.path("dcnv2").path("over_seeds").path("test").path("auc").path("values").get(0).asDouble())
                .isCloseTo(models.path("dcnv2").path("test").path("auc").asDouble(), org.assertj.core.data.Offset.offset(1e-4));
        JsonNode teacher = report.path("teacher");
        assertThat(teacher.path("training_samples_scored").asInt()).isEqualTo(train.size());
        assertThat(teacher.path("scoring_seconds").asDouble()).isEqualTo(12.5);
        try (CrmModel crm = CrmModel.load(runDir.resolve("model.onnx"))) {
            assertThat(crm.encoding().format()).isEqualTo(2);
            assertThat(crm.name()).isEqualTo("dcnv2");
        }
        assertThat(out.toString()).contains("dcnv2_sllmr epoch  1");
    }

    @Test
    void aTeacherFileOfAnotherDataSetIsOneClearLine() throws Exception {
        Path teacher = temp.resolve("t.tsv");
        TeacherScores.write(teacher, List.of(new Sample("nobody", "nothing", 1, 5, 1, new String[0], new float[0])),
                new float[] {0.5f}, Map.of());
        int code = run("train", "--synthetic-users", "150", "--synthetic-items", "200", "--synthetic-ratings", "6000",
                "--epochs", "1", "--out", temp.resolve("o").toString(), "--llm-teacher", teacher.toString());
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("has no score for any training sample").doesNotContain("\tat ");
    }

    @Test
    void missingModelIsOneClearLine() {
        int code = run("eval", "--model", temp.resolve("nowhere").toString());
        assertThat(code).isNotZero();
        assertThat(err.toString().strip()).startsWith("duet eval: error: model file not found").doesNotContain("\n\tat ");
    }

    @Test
    void corruptDataNamesFileAndLine() throws Exception {
        Path data = temp.resolve("bad");
        Files.createDirectories(data);
        Files.writeString(data.resolve("movies.dat"), "1::Toy Story (1995)::Animation\n");
        Files.writeString(data.resolve("ratings.dat"), "1::1::5::978300760\n2::1::4\n");
        int code = run("train", "--data", data.toString(), "--out", temp.resolve("o").toString());
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("ratings.dat:2: expected at least 4 fields but found 3").doesNotContain("\tat ");
    }

    @Test
    void unknownLayoutIsOneClearLine() throws Exception {
        Files.writeString(temp.resolve("notes.txt"), "hello");
        int code = run("train", "--data", temp.toString(), "--out", temp.resolve("o").toString());
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("Unknown data layout in").doesNotContain("\tat ");
    }
}
