package dev.duet.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.job.testing.KafkaTestBroker;
import dev.duet.job.testing.TestStreams;
import dev.duet.job.testing.TrainedModelFixture;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./duet job} killed with SIGKILL and started again with the same command (issue 20): the
 * job runs as its own process ({@code dev.duet.job.cli.Main}, a real trained model, RocksDB
 * checkpoints every second) against an in-process broker. After the restart a probe user's
 * history is the one of the last completed checkpoint (plus the events after it, read again from
 * the checkpoint's offsets), seen through a request without candidates, which ranks only items
 * the user has not interacted with; before the fix the restarted job began with empty state.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CrashRecoveryITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "crash";
    private static final int CATALOG = 20;

    @Test
    void aKilledJobStartedAgainWithTheSameCommandResumesEveryUsersState(@TempDir Path dir) throws Exception {
        TrainedModelFixture model = TrainedModelFixture.get();
        try (KafkaTestBroker kafka = KafkaTestBroker.start()) {
            kafka.createTopics(2, PREFIX + "-interactions", PREFIX + "-requests", PREFIX + "-items", PREFIX + "-control",
                    PREFIX + "-recommendations", PREFIX + "-dead-letters");
            kafka.produce(PREFIX + "-items", TestStreams.items(CATALOG), null);
            List<String> command = command(kafka.bootstrap(), model.file, dir.resolve("checkpoints"));

            // The probe user interacts with i1..i5; other users make some traffic.
            List<String> seen = List.of("i1", "i2", "i3", "i4", "i5");
            List<String> first = new ArrayList<>(TestStreams.interactions(60, 10, CATALOG, 3));
            for (int i = 0; i < seen.size(); i++) {
                first.add(interaction("probe", seen.get(i), i));
            }
            Path log1 = dir.resolve("job-1.log");
            Process job = start(command, log1);
            try {
                waitForLine(log1, "dashboard at", job);
                kafka.produce(PREFIX + "-interactions", first, v -> v.contains("\"probe\"") ? "probe" : null);
                // Visible to read_committed readers: a checkpoint holding them completed.
                List<String> out = kafka.readCommitted(PREFIX + "-recommendations", first.size(), Duration.ofMillis(500), Duration.ofSeconds(90));
                assertThat(out).hasSize(first.size());
                // One more event, then the hard stop: whether or not a checkpoint took it, it is
                // read again from the checkpoint's offsets.
                kafka.produce(PREFIX + "-interactions", List.of(interaction("probe", "i6", 10)), v -> "probe");
            } finally {
                job.destroyForcibly();
                job.waitFor(30, TimeUnit.SECONDS);
            }

            Path log2 = dir.resolve("job-2.log");
            Process again = start(command, log2);
            try {
                String resumed = waitForLine(log2, "Resuming from checkpoint", again);
                assertThat(resumed).contains(dir.resolve("checkpoints").toString()).contains("chk-");
                waitForLine(log2, "dashboard at", again);
                // The event after the checkpoint is read again and answered once (inputs of two
                // topics are read in no set order, so the probe request waits for it).
                assertThat(kafka.readCommitted(PREFIX + "-recommendations", first.size() + 1, Duration.ofMillis(500), Duration.ofSeconds(90)))
                        .hasSize(first.size() + 1);
                // A model path that does not exist: an ERROR naming it, the old model keeps scoring.
                kafka.produce(PREFIX + "-control", List.of("{\"model_path\":\"/nonexistent/crm-v2/model.onnx\"}"), null);
                Thread.sleep(1500);
                kafka.produce(PREFIX + "-requests", List.of(
                        "{\"request_id\":\"probe-request\",\"user\":\"probe\",\"k\":" + CATALOG + ",\"timestamp\":"
                                + (TestStreams.START_MS + 100 * 60_000L) + "}"), v -> "probe");
                int expected = first.size() + 2;
                List<JsonNode> records = new ArrayList<>();
                for (String s : kafka.readCommitted(PREFIX + "-recommendations", expected, Duration.ofSeconds(2), Duration.ofSeconds(90))) {
                    records.add(JSON.readTree(s));
                }
                // Exactly once across the crash: every input answered once.
                Set<String> ids = new HashSet<>();
                records.forEach(r -> assertThat(ids.add(r.get("kind").asText() + ":" + r.get("id").asText())).as("duplicate %s", r).isTrue());
                assertThat(records).hasSize(expected);
                JsonNode probe = records.stream().filter(r -> r.get("id").asText().equals("probe-request")).findFirst().orElseThrow();
                List<String> ranked = new ArrayList<>();
                probe.get("items").forEach(n -> ranked.add(n.asText()));
                // The history survived: none of the items the probe user saw is offered again.
                assertThat(ranked).as("ranked for the probe user after the restart").doesNotContainAnyElementsOf(seen)
                        .doesNotContain("i6").isNotEmpty();
                assertThat(probe.get("crm_model_version").asText()).isEqualTo("fixture-v1");
                assertThat(waitForLine(log2, "/nonexistent/crm-v2/model.onnx", again)).contains(" ERROR ", "Cannot load the model");
            } finally {
                again.destroyForcibly();
                again.waitFor(30, TimeUnit.SECONDS);
                for (Path log : List.of(log1, log2)) {
                    System.out.println("==== " + log.getFileName() + "\n" + (Files.exists(log) ? Files.readString(log) : "(none)"));
                }
            }
        }
    }

    private static String interaction(String user, String item, int minute) {
        return "{\"user\":\"" + user + "\",\"item\":\"" + item + "\",\"rating\":5,\"timestamp\":" + (TestStreams.START_MS + 70 * 60_000L + minute * 60_000L) + "}";
    }

    private static List<String> command(String bootstrap, Path model, Path checkpoints) throws IOException {
        int webPort;
        try (ServerSocket s = new ServerSocket(0)) {
            webPort = s.getLocalPort();
        }
        List<String> c = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                // The logging ./duet job runs with, not the test classpath's.
                "-Dlog4j2.configurationFile=" + Path.of("target/classes/log4j2.properties").toAbsolutePath(),
                "dev.duet.job.cli.Main", "job",
                "--bootstrap", bootstrap, "--model", model.toString(), "--llm.enabled", "false",
                "--checkpoint-interval", "1 s", "--job.checkpoint-dir", checkpoints.toUri().toString(),
                "--web-port", Integer.toString(webPort), "--parallelism", "2",
                "--kafka.group-id", PREFIX + "-group", "--kafka.transactional-id-prefix", PREFIX,
                "--scoring.max-delay", "5 ms"));
        for (String topic : List.of("interactions", "requests", "items", "control", "recommendations", "dead-letters")) {
            c.add("--topics." + topic);
            c.add(PREFIX + "-" + topic);
        }
        return c;
    }

    /** The job as its own JVM; the classpath travels in CLASSPATH as the launcher sends it. */
    private static Process start(List<String> command, Path log) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        return b.start();
    }

    private static String waitForLine(Path log, String text, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (line.contains(text)) {
                        return line;
                    }
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("the job exited (" + process.exitValue() + ") before logging '" + text + "':\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' in the job's log within 120 s:\n" + Files.readString(log));
    }
}
