package dev.duet.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.bench.testing.TeeStream;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.trainer.model.Dcnv2Config;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline benchmark's main path, short: small synthetic data and a tiny CRM, the real
 * in-process broker, worker and jobs for all three configurations, tiny backlogs and latency
 * phases. Every phase must account for every input exactly once, and the reports must hold the
 * figures the docs quote.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PipelineBenchQuickTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 2100;

    @Test
    void aQuickRunMeasuresEveryConfigurationAndAccountsForEveryInput(@TempDir Path dir) throws Exception {
        PipelineBenchSettings settings = PipelineBenchSettings.builder()
                .out(dir.resolve("out"))
                .configs("c,a,b")
                .events(EVENTS)
                .warmUpDrain(Duration.ZERO)
                .measure(Duration.ofSeconds(2))
                .warmUp(Duration.ofSeconds(1))
                .fixedRate(300)
                .checkpointInterval(Duration.ofMillis(500))
                .synthetic(SyntheticConfig.builder().users(150).items(300).ratings(12_000).build())
                .training(Dcnv2Config.builder().embeddingDim(8).deepLayers(32).maxEpochs(1).threads(1).build())
                .modelCache(dir.resolve("model"))
                .workerWarmUp(Duration.ofSeconds(2))
                .progressEvery(Duration.ofSeconds(3))
                .command("test")
                .build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PipelineBenchResult result;
        try (PrintStream out = new PrintStream(new TeeStream(log), true, StandardCharsets.UTF_8);
                PipelineBench bench = new PipelineBench(settings, out)) {
            result = bench.run();
        }

        assertThat(result.problems()).as("bench output:%n%s", log).isEmpty();
        assertThat(result.ok()).isTrue();
        assertThat(result.configs()).extracting(c -> c.config().key).containsExactly("a", "b", "c");
        for (ConfigResult c : result.configs()) {
            ThroughputResult t = c.throughput();
            assertThat(t.eventsIn()).as("config %s", c.config().key).isEqualTo(EVENTS);
            assertThat(t.eventsOut()).isEqualTo(EVENTS);
            assertThat(t.lost()).isZero();
            assertThat(t.duplicates()).isZero();
            assertThat(t.sustainedRate()).isPositive();
            assertThat(t.profile()).isNotNull();
            assertThat(t.profile().threadCpu()).isNotEmpty();
            assertThat(c.halfRate().eventsOut()).isEqualTo(c.halfRate().eventsIn()).isPositive();
            assertThat(c.halfRate().processing().count()).isPositive();
            // The longest pause is one of the window's pauses, so never more than their sum.
            assertThat(c.halfRate().profile().gcLongestPauseMs()).isBetween(0.0, c.halfRate().profile().gcPauseMs());
            assertThat(c.halfRate().processing().p99()).isGreaterThanOrEqualTo(c.halfRate().processing().p50());
            assertThat(c.halfRate().visible().p50()).as("visible waits for the commit").isGreaterThanOrEqualTo(
                    c.halfRate().processing().p50());
            // One p99 per second of the measured window, none above the phase's maximum.
            assertThat(c.halfRate().p99PerSecond()).hasSizeBetween(2, 5);
            for (double v : c.halfRate().p99PerSecond()) {
                assertThat(v).isBetween(0.0, c.halfRate().processing().max());
            }
            // The window's checkpoints (every 500 ms over 2 s) as the REST API reports them, per task.
            CheckpointStats checkpoints = c.halfRate().checkpoints();
            assertThat(checkpoints).as("config %s", c.config().key).isNotNull();
            assertThat(checkpoints.checkpoints()).isPositive();
            assertThat(checkpoints.endToEndMs()[1]).isGreaterThanOrEqualTo(checkpoints.endToEndMs()[0]).isPositive();
            assertThat(checkpoints.tasks()).isNotEmpty();
            checkpoints.tasks().forEach((task, figures) -> {
                assertThat(figures).containsOnlyKeys(CheckpointStats.FIGURES);
                figures.values().forEach(v -> assertThat(v[1]).isGreaterThanOrEqualTo(v[0]).isNotNegative());
            });
        }
        // The write-behind caches' flushes: item popularity's task and the user chain have them.
        var flushes = result.config(JobConfig.CRM).halfRate().checkpoints().preBarrierFlushMs();
        assertThat(flushes.keySet()).anyMatch(task -> task.startsWith("user history")).anyMatch(task -> task.startsWith("item popularity"));
        flushes.values().forEach(v -> assertThat(v[1]).isGreaterThanOrEqualTo(v[0]).isNotNegative());
        assertThat(result.config(JobConfig.CRM).halfRate().checkpoints().tasks().keySet())
                .anyMatch(task -> task.startsWith("user history"));
        assertThat(result.config(JobConfig.PASS_THROUGH).throughput().routes()).containsOnlyKeys("pass-through");
        assertThat(result.config(JobConfig.CRM).throughput().routes()).containsOnlyKeys("crm");
        assertThat(result.config(JobConfig.FULL).throughput().routes().keySet()).isSubsetOf("crm", "llm", "fallback")
                .contains("crm");
        assertThat(result.config(JobConfig.FULL).fixedRate()).isNotNull();
        assertThat(result.config(JobConfig.CRM).fixedRate()).isNull();

        Path out = dir.resolve("out");
        for (String f : new String[] {Report.JSON_FILE, Report.MARKDOWN_FILE, Report.THROUGHPUT_CHART, Report.LATENCY_CHART,
            Report.TIMELINE_CHART}) {
            assertThat(out.resolve(f)).isRegularFile();
            assertThat(Files.size(out.resolve(f))).isPositive();
        }
        JsonNode report = JSON.readTree(out.resolve(Report.JSON_FILE).toFile());
        assertThat(report.at("/ok").asBoolean()).isTrue();
        assertThat(report.at("/machine/cores").asInt()).isPositive();
        assertThat(report.at("/targets")).hasSize(3);
        for (JsonNode target : report.at("/targets")) {
            assertThat(target.get("measured").isNumber()).as("%s", target).isTrue();
            assertThat(target.get("met").isBoolean()).isTrue();
        }
        JsonNode configs = report.at("/configs");
        assertThat(configs).hasSize(3);
        for (JsonNode c : configs) {
            assertThat(c.get("every_input_accounted_for").asBoolean()).isTrue();
            assertThat(c.get("sustained_events_per_s").asDouble()).isPositive();
            assertThat(c.get("latency_p99_ms").isNumber()).isTrue();
            assertThat(c.at("/ratio_to_a/throughput").isNumber()).isTrue();
            assertThat(c.at("/throughput_phases/0/events_in").asLong()).isEqualTo(c.at("/throughput_phases/0/events_out").asLong());
            assertThat(c.at("/throughput_phases/0/profile/hot_methods")).isNotEmpty();
            assertThat(c.at("/latency_at_half_rate/processing_ms/p50").isNumber()).isTrue();
            assertThat(c.at("/latency_at_half_rate/visible_ms/p99").isNumber()).isTrue();
        }
        assertThat(configs.get(0).at("/ratio_to_a/throughput").asDouble()).isEqualTo(1.0);
        assertThat(report.at("/configs/2/latency_at_fixed_rate/processing_ms_by_route/crm/p99").isNumber()).isTrue();
        String markdown = Files.readString(out.resolve(Report.MARKDOWN_FILE));
        assertThat(markdown).contains("| (a) pass-through |", "| (b) state + CRM |", "| (c) full (LLM) |", "Profile of the drain",
                "checkpoints in the measured window", "| task | sync | async | alignment |",
                "garbage collection in the window: ");
        assertThat(report.at("/configs/1/latency_at_half_rate/checkpoints/slowest_subtask_per_task").size()).isPositive();
    }
}
