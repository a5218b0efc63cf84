package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.job.model.RawRecord;
import org.junit.jupiter.api.Test;

class DeadLetterLogTest {

    private static RawRecord record(String topic, long offset) {
        return new RawRecord(topic, 1, offset, 0, "x");
    }

    @Test
    void theFirstOfEachTopicIsLoggedThenACountPerPeriod() {
        DeadLetterLog log = new DeadLetterLog(0, 60_000);
        assertThat(log.rejected(record("interactions", 1), "not JSON", 0)).isTrue();
        assertThat(log.rejected(record("interactions", 2), "not JSON", 10)).isFalse();
        assertThat(log.rejected(record("items", 3), "field 'title' is required", 20)).isTrue();
        assertThat(log.rejected(record("items", 4), "field 'title' is 600 characters long", 30)).isFalse();
        assertThat(log.rejected(record("interactions", 5), "field 'user' is required", 40)).isFalse();
        assertThat(log.reportIfDue(59_000)).isNull();
        String line = log.reportIfDue(60_010);
        assertThat(line).startsWith("3 dead letters in the last 60 s in subtask 0")
                .contains("interactions=2", "items=1", "the last: interactions partition 1 offset 5: field 'user' is required");
        // Nothing more came: nothing more to say.
        assertThat(log.reportIfDue(200_000)).isNull();
        assertThat(log.rejected(record("items", 6), "empty record", 300_000)).isFalse();
        assertThat(log.reportIfDue(360_000)).startsWith("1 dead letters");
    }
}
