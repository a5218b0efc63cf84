package dev.duet.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.sequence.SequenceModelContract;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --task next-item} end to end on small synthetic data, and its errors. */
class NextItemCommandTest {

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
    void writesTheModelTheReportsAndTheCharts() throws Exception {
        Path runDir = temp.resolve("run");
        int code = run("train", "--task", "next-item", "--synthetic-users", "80", "--synthetic-items", "120",
                "--synthetic-ratings", "4000", "--epochs", "2", "--dim", "16", "--threads", "1", "--out", runDir.toString());
        assertThat(code).as(err.toString()).isZero();
        for (String file : new String[] {"model.onnx", "report.json", "report.md", "hr1.png", "sasrec_epochs.png"}) {
            assertThat(runDir.resolve(file)).isNotEmptyFile();
        }
        JsonNode report = new ObjectMapper().readTree(runDir.resolve("report.json").toFile());
        assertThat(report.path("next_item").path("candidates").asInt()).isEqualTo(20);
        assertThat(report.path("next_item").path("seeds")).hasSize(5);
        for (String model : new String[] {"popularity", "item_knn", "sasrec"}) {
            for (String split : new String[] {"valid", "test"}) {
                JsonNode s = report.path("next_item").path("models").path(model).path(split);
                assertThat(s.path("hr@1").path("mean").asDouble(-1)).as(model + " " + split).isBetween(0.0, 1.0);
                assertThat(s.path("hr@1").has("std")).isTrue();
                assertThat(s.path("hr@10").asDouble(-1)).isBetween(0.0, 1.0);
                assertThat(s.path("ndcg@10").asDouble(-1)).isBetween(0.0, 1.0);
            }
        }
        assertThat(report.path("train_seconds").asDouble()).isPositive();
        assertThat(report.path("cases").path("train").asInt()).isGreaterThan(2000);
        assertThat(report.path("dataset").asText()).startsWith("synthetic");
        assertThat(Files.readString(runDir.resolve("report.md"))).contains("LLaRA, hybrid prompt").contains("0.361 +- 0.019")
                .contains("not by LLaRA's own preprocessing");
        assertThat(out.toString()).contains("sasrec epoch  2: train loss");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(runDir.resolve("model.onnx").toString(), new OrtSession.SessionOptions())) {
            assertThat(session.getMetadata().getCustomMetadata())
                    .containsEntry(SequenceModelContract.META_TASK, SequenceModelContract.TASK_NEXT_ITEM)
                    .containsEntry(SequenceModelContract.META_VERSION, report.path("sasrec").path("version").asText());
        }
    }

    @Test
    void aFolderWithoutUsableSequencesIsOneClearErrorLine() throws Exception {
        Path data = temp.resolve("one-rating-each");
        Files.createDirectories(data);
        Files.writeString(data.resolve("movies.csv"), "movieId,title,genres\n1,A (1999),Drama\n2,B (2000),Comedy\n");
        Files.writeString(data.resolve("ratings.csv"), "userId,movieId,rating,timestamp\n1,1,4.0,100\n2,2,3.0,200\n");
        int code = run("train", "--task", "next-item", "--data", data.toString(), "--out", temp.resolve("out").toString());
        assertThat(code).isEqualTo(1);
        String message = err.toString(StandardCharsets.UTF_8).strip();
        assertThat(message).isEqualTo("duet train: error: " + data + ": Data set one-rating-each has no usable next-item cases"
                + " (a case needs an item after at least one earlier item of the same user)");
        assertThat(temp.resolve("out").resolve("model.onnx")).doesNotExist();
    }

    @Test
    void anLlaraFolderWithAnEmptySplitFileIsOneLineNamingTheFile() throws Exception {
        Path data = temp.resolve("llara-without-validation");
        Files.createDirectories(data);
        Files.writeString(data.resolve("id2name.txt"), "0::A\n1::B\n2::C\n");
        String rows = "seq\tlen_seq\tnext\n3 3 3\t1\t0\n0 3 3\t1\t1\n0 1 3\t2\t2\n";
        Files.writeString(data.resolve("train.tsv"), rows);
        Files.writeString(data.resolve("val.tsv"), "seq\tlen_seq\tnext\n");
        Files.writeString(data.resolve("test.tsv"), rows);
        int code = run("train", "--task", "next-item", "--data", data.toString(), "--out", temp.resolve("out").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo("duet train: error: Data file has no records: " + data.resolve("val.tsv"));
        assertThat(temp.resolve("out")).doesNotExist();
    }

    @Test
    void anUnknownTaskIsRefused() {
        int code = run("train", "--task", "ranking", "--out", temp.resolve("out").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("duet train: error: --task must be 'ctr', 'next-item' or 'rl', got 'ranking'");
    }
}
