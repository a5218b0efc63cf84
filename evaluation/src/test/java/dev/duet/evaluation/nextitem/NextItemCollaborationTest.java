package dev.duet.evaluation.nextitem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.Split;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.core.testing.SequenceModelFixture;
import dev.duet.evaluation.cli.Main;
import dev.duet.trainer.nextitem.CandidateSets;
import dev.duet.trainer.nextitem.EncodedCases;
import dev.duet.trainer.nextitem.ItemVocabulary;
import dev.duet.trainer.nextitem.NextItemData;
import dev.duet.trainer.nextitem.NextItemMetrics;
import dev.duet.trainer.nextitem.NextItemScorer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --task next-item --llm} and {@code export-llm-data --task next-item} end to end
 * through the CLI, on small synthetic data with a contract-following sequence model (core's
 * mean-pool fixture over the training split's vocabulary) and the MiniLM text-encoder backend;
 * and the bad-input paths: a model of the other kind, candidates the model does not know.
 */
class NextItemCollaborationTest {

    private static final String[] DATA = {
        "--synthetic-users", "60", "--synthetic-items", "150", "--synthetic-ratings", "2400", "--seed", "5"
    };
    private static final int HISTORY = 10;

    @TempDir static Path dir;

    private static NextItemData data;
    private static ItemVocabulary vocabulary;
    private static SequenceModelFixture fixture;
    private static Path model;
    private static Path ctrLike;

    @BeforeAll
    static void setUp() throws Exception {
        Dataset dataset = new SyntheticDatasetGenerator(
                SyntheticConfig.builder().users(60).items(150).ratings(2400).seed(5).build()).generate();
        data = NextItemData.from(dataset, HISTORY);
        vocabulary = ItemVocabulary.fit(data.cases(Split.TRAIN));
        fixture = SequenceModelFixture.builder().items(vocabulary.ids()).dim(8).maxHistory(HISTORY).seed(3).build();
        Files.createDirectories(dir.resolve("seq"));
        model = fixture.write(dir.resolve("seq/model.onnx")).getParent();
        // A model file without the next-item task key: what a CTR model looks like to the check.
        Files.createDirectories(dir.resolve("ctr"));
        ctrLike = SequenceModelFixture.builder().items(vocabulary.ids()).task(null).build()
                .write(dir.resolve("ctr/model.onnx")).getParent();
    }

    private static String[] args(String... head) {
        String[] all = new String[head.length + DATA.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(DATA, 0, all, head.length, DATA.length);
        return all;
    }

    /** Runs a command line; returns exit code and stderr. */
    private static Run run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        try {
            System.setErr(new PrintStream(err, true));
            return new Run(Main.run(args(args)), err.toString());
        } finally {
            System.setErr(old);
        }
    }

    private record Run(int code, String err) {}

    /** The fixture's arithmetic in Java as a trainer scorer: an independent path to the same HR@1. */
    private static NextItemScorer javaScorer() {
        return new NextItemScorer() {
            @Override
            public String name() {
                return "fixture";
            }

            @Override
            public float[][] catalogScores(int[][] histories) {
                float[][] out = new float[histories.length][];
                for (int i = 0; i < histories.length; i++) {
                    long[] rows = java.util.Arrays.stream(histories[i]).asLongStream().toArray();
                    float[] user = fixture.userVector(rows);
                    out[i] = new float[vocabulary.rows()];
                    for (int r = 0; r < out[i].length; r++) {
                        out[i][r] = fixture.score(user, r);
                    }
                }
                return out;
            }
        };
    }

    @Test
    void routesUnsureCasesToTheLlmSideAndReportsHr1PerRoute() throws Exception {
        Path out = dir.resolve("eval");
        Run r = run("eval", "--task", "next-item", "--model", model.toString(), "--llm", "text-encoder",
                "--candidate-seeds", "2", "--out", out.toString(), "--llm-threads", "1");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        JsonNode c = report.path("next_item_collaboration");
        assertThat(c.path("candidates").asInt()).isEqualTo(20);
        assertThat(c.path("seeds")).hasSize(2);
        assertThat(c.path("uncertainty").asText()).isIn("entropy", "margin");
        assertThat(report.at("/llm/what_it_is").asText()).contains("ENCODER").contains("not an LLM");
        assertThat(report.at("/llm/rejected").asInt()).isZero();
        assertThat(report.at("/llm/requests").asInt()).isPositive();

        // The sequence model alone: what the trainer's metrics give for the same model, cases and seeds.
        EncodedCases test = EncodedCases.encode(data.cases(Split.TEST), data, vocabulary, HISTORY);
        List<CandidateSets> sets = new ArrayList<>();
        for (long seed = 1; seed <= 2; seed++) {
            sets.add(CandidateSets.draw(test, vocabulary.size(), 20, seed));
        }
        NextItemMetrics.Figures expected = NextItemMetrics.evaluate(javaScorer(), test, sets);
        assertThat(c.at("/sequence_alone/test/mean").asDouble()).isCloseTo(expected.hr1Mean(), within(1e-9));

        JsonNode rows = c.path("rows");
        assertThat(rows).hasSize(4);
        double[] budgets = {0.05, 0.10, 0.20, 0.30};
        double previousShare = 0;
        for (int b = 0; b < 4; b++) {
            JsonNode row = rows.get(b);
            assertThat(row.path("budget").asDouble()).isEqualTo(budgets[b]);
            double share = row.at("/routed/share/mean").asDouble();
            // Thresholds come from validation: the test share is near the budget, never above it (the cap).
            assertThat(share).isBetween(0.0, budgets[b] + 1e-9).isGreaterThanOrEqualTo(previousShare);
            previousShare = share;
            for (int s = 0; s < 2; s++) {
                double sh = row.at("/routed/share/per_seed/" + s).asDouble();
                double overall = row.at("/overall/hr@1/per_seed/" + s).asDouble();
                double kept = row.at("/kept/hr@1/per_seed/" + s).asDouble();
                JsonNode llm = row.at("/routed/hr@1/llm/per_seed/" + s);
                double routed = llm.isNull() ? 0 : llm.asDouble();
                // Overall is the routed cases' LLM answers plus the kept cases' sequence answers.
                assertThat(overall).isCloseTo(sh * routed + (1 - sh) * kept, within(1e-9));
            }
            assertThat(row.at("/overall/hr@1/mean").asDouble()).isBetween(0.0, 1.0);
        }
        assertThat(rows.get(3).at("/routed/share/mean").asDouble()).isGreaterThan(0.15);
        assertThat(Files.readString(out.resolve("report.md"))).contains("LLM side that ran").contains("not an LLM");
        assertThat(out.resolve("next_item_collaboration.png")).isRegularFile();
    }

    @Test
    void candidatesUnknownToTheModelAreMissesForItAndCounted() throws Exception {
        // A model that lacks every valid and test target it could know: those cases' true item is unknown to it.
        List<String> targets = new ArrayList<>();
        data.cases(Split.VALID).forEach(c -> targets.add(c.next()));
        data.cases(Split.TEST).forEach(c -> targets.add(c.next()));
        List<String> known = new ArrayList<>(vocabulary.ids());
        List<String> dropped = known.stream().filter(targets::contains).limit(5).toList();
        known.removeAll(dropped);
        Files.createDirectories(dir.resolve("partial"));
        Path partial = SequenceModelFixture.builder().items(known).dim(8).maxHistory(HISTORY).seed(3).build()
                .write(dir.resolve("partial/model.onnx")).getParent();
        Path out = dir.resolve("eval-partial");
        Run r = run("eval", "--task", "next-item", "--model", partial.toString(), "--llm", "text-encoder",
                "--candidate-seeds", "1", "--out", out.toString(), "--llm-threads", "1");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode unknown = new ObjectMapper().readTree(out.resolve("report.json").toFile())
                .at("/next_item_collaboration/unknown_to_the_model");
        // Unknown: the dropped items and those first seen after the training split.
        long validUnknown = data.cases(Split.VALID).stream().filter(c -> !known.contains(c.next())).count();
        long testUnknown = data.cases(Split.TEST).stream().filter(c -> !known.contains(c.next())).count();
        long validDropped = data.cases(Split.VALID).stream().filter(c -> dropped.contains(c.next())).count();
        long testDropped = data.cases(Split.TEST).stream().filter(c -> dropped.contains(c.next())).count();
        assertThat(validDropped + testDropped).isPositive();
        assertThat(unknown.at("/targets/valid").asLong()).isEqualTo(validUnknown);
        assertThat(unknown.at("/targets/test").asLong()).isEqualTo(testUnknown);
        // One seed: each unknown target is one candidate scored minus infinity, nothing else.
        assertThat(unknown.at("/candidates_scored_minus_infinity/valid").asLong()).isEqualTo(validUnknown);
        assertThat(unknown.at("/candidates_scored_minus_infinity/test").asLong()).isEqualTo(testUnknown);
    }

    @Test
    void aNextItemModelWhereACtrModelIsExpectedIsOneClearLine() {
        Run eval = run("eval", "--llm", "text-encoder", "--model", model.toString());
        assertThat(eval.code()).isEqualTo(1);
        assertThat(eval.err().strip().lines()).hasSize(1);
        assertThat(eval.err()).contains("--model " + model.resolve("model.onnx")).contains("is a next-item model")
                .contains("a CTR (click) model is expected").contains("--task next-item");

        Run calibrate = run("calibrate", "--model", model.toString());
        assertThat(calibrate.code()).isEqualTo(1);
        assertThat(calibrate.err().strip().lines()).hasSize(1);
        assertThat(calibrate.err()).contains(model.resolve("model.onnx").toString()).contains("is a next-item model")
                .contains("CTR (click) model is expected");

        Run export = run("export-llm-data", "--task", "ctr", "--model", model.toString(), "--out",
                dir.resolve("never.jsonl").toString());
        assertThat(export.code()).isEqualTo(1);
        assertThat(export.err()).contains("is a next-item model");
        assertThat(dir.resolve("never.jsonl")).doesNotExist();
    }

    @Test
    void aCtrModelWhereANextItemModelIsExpectedIsOneClearLine() {
        Run eval = run("eval", "--task", "next-item", "--llm", "text-encoder", "--model", ctrLike.toString());
        assertThat(eval.code()).isEqualTo(1);
        assertThat(eval.err().strip().lines()).hasSize(1);
        assertThat(eval.err()).contains("--model " + ctrLike.resolve("model.onnx")).contains("is a ctr model")
                .contains("a next-item model (from ./duet train --task next-item) is expected");
    }

    @Test
    void exportsLlaraStyleCasesWithTheWorkersHybridPromptAndTheVectors() throws Exception {
        Path file = dir.resolve("next.jsonl");
        Run r = run("export-llm-data", "--task", "next-item", "--model", model.toString(), "--out", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(data.cases(Split.TRAIN).size());
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < lines.size(); i += 97) {
            JsonNode n = json.readTree(lines.get(i));
            var c = data.cases(Split.TRAIN).get(i);
            String prompt = n.path("prompt").asText();
            assertThat(prompt).startsWith("[UserEmb] Below is the rating history of a user: ")
                    .endsWith(", the item the user will like most is:");
            assertThat(n.path("answer_item_id").asText()).isEqualTo(c.next());
            JsonNode candidates = n.path("candidates");
            assertThat(candidates).hasSize(20);
            assertThat(candidates.get(n.path("answer_index").asInt()).path("item_id").asText()).isEqualTo(c.next());
            assertThat(n.path("answer").asText()).isEqualTo(candidates.get(n.path("answer_index").asInt()).path("title").asText());
            assertThat(prompt.split("\\[CansEmb\\]", -1)).hasSize(21);
            assertThat(prompt.split("\\[HistoryEmb\\]", -1)).hasSize(c.history().size() + 1);
            // Every history and candidate title is in the prompt, each followed by its place.
            for (JsonNode cand : candidates) {
                assertThat(prompt).contains(cand.path("title").asText() + " [CansEmb]");
            }
            // Every place's vector is the sequence model's: the item's row, or the user vector.
            JsonNode places = n.path("behaviour_places");
            assertThat(places).hasSize(1 + c.history().size() + 20);
            for (JsonNode p : places) {
                assertThat(prompt.substring(p.path("char_start").asInt(), p.path("char_start").asInt() + p.path("length").asInt()))
                        .isEqualTo(HybridPromptsNames.placeholder(p.path("kind").asText()));
                float[] expected = p.path("kind").asText().equals("user")
                        ? fixture.userVector(java.util.Arrays.stream(EncodedCases.rightAligned(c.history(), vocabulary, HISTORY))
                                .asLongStream().toArray())
                        : fixture.embeddings()[vocabulary.row(p.path("item_id").asText())];
                JsonNode v = p.path("vector");
                assertThat(v).hasSize(8);
                for (int d = 0; d < 8; d++) {
                    assertThat(v.get(d).floatValue()).isCloseTo(expected[d], within(1e-5f));
                }
            }
        }
    }

    @Test
    void trainsANextItemRerankerThatTheTrainedBackendServes() throws Exception {
        Path reranker = dir.resolve("reranker");
        Run train = run("train-llm", "--task", "next-item", "--crm", model.toString(), "--out", reranker.toString(),
                "--encoder", "all-minilm-l6-v2", "--max-epochs", "2", "--max-train-cases", "300", "--threads", "1");
        assertThat(train.code()).as(train.err()).isZero();
        assertThat(reranker.resolve("scorer.onnx")).isRegularFile();
        JsonNode trained = new ObjectMapper().readTree(reranker.resolve("report.json").toFile());
        assertThat(trained.path("train_cases").asInt()).isEqualTo(300);
        assertThat(trained.path("train_rows").asInt()).isEqualTo(300 * 20);
        assertThat(trained.path("best_epoch").asInt()).isBetween(1, 2);
        assertThat(trained.path("what_it_is").asText()).contains("ENCODER");
        // The epoch and blend are chosen on validation: its HR@1 is the best epoch's.
        double best = trained.at("/valid_hr@1/reranker").asDouble();
        assertThat(best).isBetween(0.0, 1.0);

        Path out = dir.resolve("eval-reranker");
        Run eval = run("eval", "--task", "next-item", "--model", model.toString(), "--llm", "trained", "--llm-model",
                reranker.toString(), "--candidate-seeds", "1", "--out", out.toString(), "--llm-threads", "1");
        assertThat(eval.code()).as(eval.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.at("/llm/model_name").asText()).startsWith("trained:");
        assertThat(report.at("/llm/rejected").asInt()).isZero();
        assertThat(report.at("/next_item_collaboration/rows")).hasSize(4);
    }

    /** The placeholder words, from the worker's class (the test reads them, it does not restate them). */
    private static final class HybridPromptsNames {
        static String placeholder(String kind) {
            return dev.duet.worker.internal.HybridPrompts.LLARA_PLACEHOLDERS.get(kind);
        }
    }
}
