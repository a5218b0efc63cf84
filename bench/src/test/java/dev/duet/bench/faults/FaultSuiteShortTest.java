package dev.duet.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.bench.testing.TeeStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite's short form, as CI runs it ({@code ./duet bench faults --short}): broker, two
 * text-encoder workers and the job each in its own process on 127.0.0.1, a 20 events/s stream, and
 * all four faults (a worker restarted, every worker down for 10 s, the job killed with SIGKILL and
 * started again, the broker restarted). Every fault must lose and duplicate nothing, keep the probe
 * user's state, and see the LLM route back within 5 s. The suite's close() kills every child
 * process, on failure too.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FaultSuiteShortTest {

    @Test
    void everyFaultLosesAndDuplicatesNothingKeepsStateAndRecoversTheLlmRoute(@TempDir Path dir) throws Exception {
        FaultSuiteSettings settings = FaultSuiteSettings.shortRun().out(dir.resolve("out")).command("test").build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        FaultSuiteResult result;
        try (PrintStream out = new PrintStream(new TeeStream(log), true, StandardCharsets.UTF_8);
                FaultSuite suite = new FaultSuite(settings, out)) {
            result = suite.run();
        }

        assertThat(result.faults()).extracting(FaultResult::fault).containsExactly(Fault.values());
        for (FaultResult r : result.faults()) {
            assertThat(r.counts().in()).as("%s: inputs", r.fault().key).isPositive();
            assertThat(r.counts().lost()).as("%s: lost", r.fault().key).isZero();
            assertThat(r.counts().duplicates()).as("%s: duplicated", r.fault().key).isZero();
            assertThat(r.counts().out()).as("%s: outputs", r.fault().key).isEqualTo(r.counts().in());
            assertThat(r.stateSurvived()).as("%s: the probe user's state survived", r.fault().key).isTrue();
            assertThat(r.probeInteractionsAfter()).as("%s: the probe user's history after", r.fault().key).isEqualTo(10);
            assertThat(r.llmRecoverySeconds()).as("%s: LLM recovery", r.fault().key).isNotNull().isBetween(0.0, 5.0);
        }
        // The job's restart resumed from a checkpoint, and said which.
        FaultResult crash = result.faults().stream().filter(r -> r.fault() == Fault.JOB_CRASH).findFirst().orElseThrow();
        assertThat(crash.resumedFrom()).contains("Resuming from checkpoint").contains("chk-");
        // Every hard sample while every worker was down fell back to the CRM.
        FaultResult down = result.faults().stream().filter(r -> r.fault() == Fault.WORKERS_DOWN).findFirst().orElseThrow();
        assertThat(down.counts().fallbacks()).isPositive();
        assertThat(result.problems()).as("suite output:%n%s", log).isEmpty();

        JsonNode json = new ObjectMapper().readTree(dir.resolve("out").resolve(FaultReport.JSON_FILE).toFile());
        for (Fault f : Fault.values()) {
            JsonNode node = json.path("faults").path(f.key);
            for (String field : new String[] {"in", "out", "lost", "duplicates", "fallbacks", "llm_recovery_s", "state_survived"}) {
                assertThat(node.has(field)).as("faults.%s.%s", f.key, field).isTrue();
            }
            assertThat(node.get("lost").asInt()).isZero();
            assertThat(node.get("state_survived").asBoolean()).isTrue();
        }
        assertThat(json.get("ok").asBoolean()).isTrue();
        assertThat(Files.readString(dir.resolve("out").resolve(FaultReport.MARKDOWN_FILE))).contains("| job-crash |");
        // No child process outlives the suite.
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }
}
