package dev.duet.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.job.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --calibration reaches the job's routing (the worker's head is read by the backend's own tests). */
class DemoCalibrationTest {

    @TempDir
    Path tmp;

    @Test
    void theCalibrationFileBecomesTheJobsGateCalibration() throws Exception {
        Path file = Files.writeString(tmp.resolve("calibration.json"), "{\"cold\":0,\"tail\":0,\"uncertainty\":1,\"bias\":0}");
        DemoSettings settings = DemoSettings.builder().calibration(file).build();
        Configuration c = DemoJob.options("127.0.0.1:9092", 50051, tmp.resolve("model.onnx"), null, tmp.resolve("seed.jsonl"),
                tmp, settings, 0);
        assertThat(c.get(JobOptions.GATE_CALIBRATION)).isEqualTo(file.toAbsolutePath().toString());
        // Without a sequence model popularity retrieves; the shadow lists are measured either way.
        assertThat(c.get(JobOptions.SEQUENCE_MODEL_PATH)).isEmpty();
        assertThat(c.get(JobOptions.RETRIEVAL_SHADOW_POPULARITY)).isTrue();

        Configuration none = DemoJob.options("127.0.0.1:9092", 50051, tmp.resolve("model.onnx"), tmp.resolve("seq.onnx"), tmp.resolve("seed.jsonl"),
                tmp, DemoSettings.builder().build(), 0);
        assertThat(none.get(JobOptions.GATE_CALIBRATION)).isEmpty();
        assertThat(none.get(JobOptions.SEQUENCE_MODEL_PATH)).isEqualTo(tmp.resolve("seq.onnx").toAbsolutePath().toString());
    }

    @Test
    void aMissingCalibrationFileIsNamed() {
        assertThatThrownBy(() -> DemoSettings.builder().calibration(tmp.resolve("absent.json")).build())
                .hasMessageContaining("--calibration").hasMessageContaining("absent.json");
    }
}
