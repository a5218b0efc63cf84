package dev.duet.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingCalibrationTest {

    @TempDir
    Path tmp;

    /** The layout ./duet calibrate writes (docs/collaboration.md). */
    static final String CALIBRATION = """
            { "format" : "duet-calibration/1",
              "cold" : 0.4, "tail" : 0.2, "uncertainty" : 0.9, "bias" : -1.1,
              "gate" : { "warm_history" : 12, "head_popularity" : 80.0, "min_entropy" : 0.4 },
              "budgets" : [
                { "share" : 0.05, "entropy_threshold" : 0.999, "gate_threshold" : 0.48 },
                { "share" : 0.1,  "entropy_threshold" : 0.995, "gate_threshold" : 0.47 },
                { "share" : 0.2,  "entropy_threshold" : 0.981, "gate_threshold" : 0.46 },
                { "share" : 0.3,  "entropy_threshold" : 0.956, "gate_threshold" : 0.44 } ],
              "head" : { "bias" : 0.0 } }
            """;

    private Path write(String json) throws Exception {
        Path f = tmp.resolve("calibration.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void readsWeightsScalesAndThresholds() throws Exception {
        RoutingCalibration c = RoutingCalibration.load(write(CALIBRATION));
        assertThat(c.weights()).isEqualTo(new GateWeights(0.4, 0.2, 0.9, -1.1));
        assertThat(c.warmHistory()).isEqualTo(12);
        assertThat(c.headPopularity()).isEqualTo(80.0);
        assertThat(c.minEntropy()).isEqualTo(0.4);
        assertThat(c.gateThresholdFor(0.1)).hasValue(0.47);
        assertThat(c.gateThresholdFor(0.12)).hasValue(0.47);
        assertThat(c.gateThresholdFor(0.15)).as("a tie takes the larger budget").hasValue(0.46);
        assertThat(c.gateThresholdFor(0.9)).hasValue(0.44);
        assertThat(c.gateThresholdFor(0.01)).hasValue(0.48);
    }

    @Test
    void aWeightsOnlyFileLeavesTheRestUnset() throws Exception {
        RoutingCalibration c = RoutingCalibration.load(write("{\"cold\":1,\"tail\":1,\"uncertainty\":1,\"bias\":0}"));
        assertThat(c.warmHistory()).isNaN();
        assertThat(c.minEntropy()).isNaN();
        assertThat(c.gateThresholdFor(0.1)).isEmpty();
    }

    @Test
    void malformedFieldsAreNamedWithTheFile() throws Exception {
        Path f = write(CALIBRATION.replace("\"min_entropy\" : 0.4", "\"min_entropy\" : \"low\""));
        assertThatThrownBy(() -> RoutingCalibration.load(f)).hasMessageContaining("calibration.json").hasMessageContaining("min_entropy");
        Path g = write(CALIBRATION.replace("\"share\" : 0.3,", "\"share\" : 3,"));
        assertThatThrownBy(() -> RoutingCalibration.load(g)).hasMessageContaining("share");
    }
}
