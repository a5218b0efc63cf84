package dev.duet.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.core.testing.SequenceModelFixture;
import dev.duet.trainer.model.Dcnv2Config;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's main path end to end, short: small synthetic data, a tiny CRM trained by the demo
 * itself, the real in-process broker, worker (bundled MiniLM text encoder) and job, malformed
 * records injected. Every input must be accounted for exactly once.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DemoEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aShortDemoAccountsForEveryInputAndWritesItsReports(@TempDir Path dir) throws Exception {
        SyntheticConfig data = SyntheticConfig.builder().users(150).items(300).ratings(12_000).build();
        // A contract-following sequence model over the data's items (random vectors: it exercises
        // retrieval, the hot path and the report, not ranking quality).
        Path sequenceModel = SequenceModelFixture.builder()
                .items(List.copyOf(new SyntheticDatasetGenerator(data).generate().items().keySet()))
                .dim(8).maxHistory(10).build().write(dir.resolve("sequence.onnx"));
        DemoSettings settings = DemoSettings.builder()
                .events(1500)
                .rate(1000)
                .warmUp(Duration.ofSeconds(10))
                .badRecords(6)
                .synthetic(data)
                .sequenceModel(sequenceModel)
                .training(Dcnv2Config.builder().embeddingDim(8).deepLayers(32).maxEpochs(1).threads(1).build())
                .modelCache(dir.resolve("model"))
                .out(dir.resolve("out"))
                .dashboardPort(0)
                .checkpointInterval(Duration.ofMillis(500))
                .progressEvery(Duration.ofSeconds(3))
                .timeout(Duration.ofSeconds(120))
                .build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DemoResult result;
        try (PrintStream out = new PrintStream(new TeeStream(log), true, StandardCharsets.UTF_8);
                Demo demo = new Demo(settings, out)) {
            result = demo.run();
        }

        Ledger.Accounts a = result.accounts();
        assertThat(result.problems()).as("demo output:%n%s", log).isEmpty();
        assertThat(a.lost()).isZero();
        assertThat(a.duplicates()).isZero();
        assertThat(a.inputs()).isEqualTo(1500 + 6);
        assertThat(result.deadLetters()).isEqualTo(6);
        assertThat(result.recordsOut()).isEqualTo(result.plan().interactions() + result.plan().requests()).isEqualTo(1500);
        LiveStats.Snapshot s = result.stats();
        assertThat(s.routed()).as("samples routed to the LLM").isPositive()
                .isLessThanOrEqualTo((int) DemoResult.routedLimit(s.overall().count(), 0.1, result.budgetAllowance()));
        assertThat(s.routes().get("llm").count()).as("answers from the real worker; fallbacks: %s", s.fallbackReasons()).isPositive();
        assertThat(s.overall().labelled()).isEqualTo(result.plan().interactions());

        Path out = dir.resolve("out");
        for (String f : new String[] {DemoReport.JSON_FILE, DemoReport.MARKDOWN_FILE, DemoReport.LATENCY_CHART, DemoReport.AUC_CHART}) {
            assertThat(out.resolve(f)).isRegularFile();
            assertThat(Files.size(out.resolve(f))).isPositive();
        }
        JsonNode report = JSON.readTree(out.resolve(DemoReport.JSON_FILE).toFile());
        assertThat(report.at("/events/in/total").asInt()).isEqualTo(1506);
        assertThat(report.at("/records/out").asInt()).isEqualTo(1500);
        assertThat(report.at("/lost").asInt()).isZero();
        assertThat(report.at("/duplicates").asInt()).isZero();
        assertThat(report.at("/dead_letters").asInt()).isEqualTo(6);
        assertThat(report.at("/routed_share").asDouble()).isBetween(0.0, 1.0);
        assertThat(report.at("/auc/overall").asDouble()).isBetween(0.0, 1.0);
        assertThat(report.at("/auc/crm").isNumber()).isTrue();
        assertThat(report.at("/auc/crm_on_llm_samples").isNumber()).isTrue();
        assertThat(report.at("/latency_ms/p50").isNumber()).isTrue();
        assertThat(report.at("/latency_ms/llm/p99").isNumber()).isTrue();
        assertThat(report.at("/throughput_eps").asDouble()).isPositive();
        // Half the requests came without candidates: the sequence model retrieved theirs, and
        // popularity's shadow list was measured on the same interactions.
        assertThat(report.at("/ranking/k").asInt()).isEqualTo(10);
        assertThat(report.at("/ranking/sent_hit_at_k/sequence/interactions").asInt()).isPositive();
        // The replay is causal across the two input topics (the first record waits for its answer,
        // requests go after their interaction): every request without candidates comes from a user
        // the job has seen, so the sequence model serves it; popularity only when it fails.
        int bySequence = report.at("/ranking/requests_by_retrieval/sequence").asInt();
        int byPopularity = report.at("/ranking/requests_by_retrieval/popularity").asInt(0);
        assertThat(bySequence).as("requests retrieved by the sequence model (popularity: %d)", byPopularity)
                .isGreaterThanOrEqualTo((int) Math.ceil(0.9 * (bySequence + byPopularity)));
        assertThat(report.at("/ranking/sent_hit_at_k/request/interactions").asInt()).isPositive();
        int same = report.at("/ranking/retrieval_hit_at_k_same_interactions/sequence/interactions").asInt();
        assertThat(same).isPositive()
                .isEqualTo(report.at("/ranking/retrieval_hit_at_k_same_interactions/popularity/interactions").asInt());
        assertThat(report.at("/sequence_model").asText()).endsWith("sequence.onnx");
        assertThat(Files.readString(out.resolve(DemoReport.MARKDOWN_FILE))).contains("## Ranking quality (hit@10)");
        // The dashboard's live AUC and LogLoss per route and subtask, read through Flink's REST API
        // as the dashboard reads them, equal what the output topic's labelled records give.
        assertThat(report.at("/dashboard_live_quality/agrees").asBoolean()).as("%s", report.at("/dashboard_live_quality")).isTrue();
        JsonNode rows = report.at("/dashboard_live_quality/rows");
        assertThat(rows.size()).isEqualTo(3 * 2);
        int comparedWithSamples = 0;
        for (JsonNode row : rows) {
            if (row.at("/compared").asBoolean() && row.at("/samples/outputs").asInt() > 0) {
                assertThat(row.at("/samples/dashboard").asLong()).isEqualTo(row.at("/samples/outputs").asLong());
                if (row.at("/auc/outputs").isNumber()) {
                    assertThat(row.at("/auc/dashboard").asDouble()).isCloseTo(row.at("/auc/outputs").asDouble(),
                            org.assertj.core.api.Assertions.within(1e-6));
                    comparedWithSamples++;
                }
            }
        }
        assertThat(comparedWithSamples).as("route and subtask pairs with an AUC on both sides").isGreaterThanOrEqualTo(2);
        assertThat(report.at("/ok").asBoolean()).isTrue();
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("every input accounted for");

        // A second demo on the same data reuses the trained model instead of training again.
        assertThat(dir.resolve("model").resolve(DemoModel.STAMP)).isRegularFile();
    }

    /** Prints to the console as well, so a slow or failing run shows its progress in the build log. */
    private static final class TeeStream extends java.io.OutputStream {
        private final ByteArrayOutputStream copy;

        TeeStream(ByteArrayOutputStream copy) {
            this.copy = copy;
        }

        @Override
        public void write(int b) {
            copy.write(b);
            System.out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            copy.write(b, off, len);
            System.out.write(b, off, len);
        }
    }
}
