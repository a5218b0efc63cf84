package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.duet.job.model.JobEvent;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ItemPopularityHarnessTest {

    private static final long DAY = 86_400_000L;

    private static KeyedOneInputStreamOperatorTestHarness<String, JobEvent, JobEvent> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ItemPopularity(Duration.ofDays(1), Duration.ZERO)), e -> e.itemId, Types.STRING);
    }

    @Test
    void attachesThePopularityBeforeTheEventAndDecaysIt() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(Events.interaction("u1", "a", 5, 0), 0);
            h.processElement(Events.interaction("u2", "a", 5, 0), 0);
            h.processElement(Events.interaction("u3", "b", 5, 0), 0);
            h.processElement(Events.interaction("u4", "a", 5, DAY), DAY);
            List<JobEvent> out = h.extractOutputValues();
            assertThat(out).extracting(e -> e.itemPopularity).containsExactly(0.0, 1.0, 0.0, 1.0);
            // Updates carry the popularity after each event; one day is one half-life.
            var updates = h.getSideOutput(ItemPopularity.UPDATES);
            assertThat(updates).hasSize(4);
            assertThat(updates.stream().reduce((x, y) -> y).get().getValue().itemPopularity).isCloseTo(2.0, within(1e-9));
        }
    }

    @Test
    void restoresFromASnapshot() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(Events.interaction("u1", "a", 5, 0), 0);
            h.processElement(Events.interaction("u2", "a", 5, 0), 0);
            snapshot = h.snapshot(1, 10);
        }
        try (var h = harness()) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            h.processElement(Events.interaction("u3", "a", 5, 0), 0);
            assertThat(h.extractOutputValues().get(0).itemPopularity).isEqualTo(2.0);
        }
    }
}
