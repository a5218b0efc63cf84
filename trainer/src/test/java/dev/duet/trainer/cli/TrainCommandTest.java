package dev.duet.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
