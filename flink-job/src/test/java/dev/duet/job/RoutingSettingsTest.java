package dev.duet.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.routing.GateWeights;
import dev.duet.job.operators.RouteSamples;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a calibration file and explicit options combine into the job's routing settings. */
class RoutingSettingsTest {

    private static final String CALIBRATION = """
            { "format" : "duet-calibration/1", "cold" : 0.4, "tail" : 0.2, "uncertainty" : 0.9, "bias" : -1.1,
              "gate" : { "warm_history" : 12, "head_popularity" : 80.0, "min_entropy" : 0.4 },
              "budgets" : [ { "share" : 0.05, "entropy_threshold" : 0.999, "gate_threshold" : 0.48 },
                            { "share" : 0.2,  "entropy_threshold" : 0.981, "gate_threshold" : 0.46 } ] }
            """;

    @TempDir
    Path tmp;

    private Configuration withCalibration() throws Exception {
        Path f = tmp.resolve("calibration.json");
        Files.writeString(f, CALIBRATION);
        Configuration c = new Configuration();
        c.set(JobOptions.GATE_CALIBRATION, f.toString());
        return c;
    }

    @Test
    void withoutACalibrationTheDocumentedDefaultsApply() throws Exception {
        RouteSamples.Settings s = DuetJob.routingSettings(new Configuration());
        assertThat(s.weights()).isEqualTo(GateWeights.DEFAULT);
        assertThat(s.minGate()).isEqualTo(0.5);
        assertThat(s.minEntropy()).isEqualTo(0.5);
        assertThat(s.warmHistory()).isEqualTo(10);
        assertThat(s.headPopularity()).isEqualTo(100.0);
    }

    @Test
    void aCalibrationBringsItsScalesFloorAndTheBudgetsThreshold() throws Exception {
        Configuration c = withCalibration();
        c.set(JobOptions.BUDGET_SHARE, 0.2);
        RouteSamples.Settings s = DuetJob.routingSettings(c);
        assertThat(s.weights()).isEqualTo(new GateWeights(0.4, 0.2, 0.9, -1.1));
        assertThat(s.minGate()).isEqualTo(0.46);
        assertThat(s.minEntropy()).isEqualTo(0.4);
        assertThat(s.warmHistory()).isEqualTo(12);
        assertThat(s.headPopularity()).isEqualTo(80.0);
    }

    @Test
    void explicitOptionsWinOverTheCalibration() throws Exception {
        Configuration c = withCalibration();
        c.set(JobOptions.MIN_GATE, 0.0);
        c.set(JobOptions.MIN_ENTROPY, 0.6);
        c.set(JobOptions.WARM_HISTORY, 5);
        RouteSamples.Settings s = DuetJob.routingSettings(c);
        assertThat(s.minGate()).isEqualTo(0.0);
        assertThat(s.minEntropy()).isEqualTo(0.6);
        assertThat(s.warmHistory()).isEqualTo(5);
        assertThat(s.headPopularity()).isEqualTo(80.0);
    }
}
