package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.job.kafka.RawRecordDeserializer;
import dev.duet.job.model.JobEvent;
import dev.duet.job.model.RawRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Records as Kafka hands them over (through the job's deserializer) into the parse step. */
class ParseEventsHarnessTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RawRecord fromKafka(String topic, long offset, byte[] value) {
        List<RawRecord> out = new ArrayList<>();
        new RawRecordDeserializer().deserialize(new ConsumerRecord<>(topic, 0, offset, null, value), new Collector<>() {
            @Override
            public void collect(RawRecord record) {
                out.add(record);
            }

            @Override
            public void close() {}
        });
        return out.get(0);
    }

    private static List<JsonNode> deadLetters(RawRecord... records) throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<RawRecord, JobEvent>(
                new ProcessOperator<>(new ParseEvents("interactions", "requests", "items", "control")))) {
            h.open();
            for (RawRecord r : records) {
                h.processElement(r, 0);
            }
            List<JsonNode> out = new ArrayList<>();
            for (var letter : h.getSideOutput(ParseEvents.DEAD_LETTERS)) {
                out.add(JSON.readTree(letter.getValue()));
            }
            return out;
        }
    }

    @Test
    void aTombstoneAndAnEmptyRecordGetDifferentReasons() throws Exception {
        List<JsonNode> dead = deadLetters(
                fromKafka("interactions", 3, null), fromKafka("interactions", 4, new byte[0]), fromKafka("items", 5, null));
        assertThat(dead).hasSize(3);
        assertThat(dead.get(0).get("reason").asText()).startsWith("tombstone record (null value)");
        assertThat(dead.get(0).get("payload").isNull()).isTrue();
        assertThat(dead.get(0).get("offset").asLong()).isEqualTo(3);
        assertThat(dead.get(1).get("reason").asText()).startsWith("empty record");
        assertThat(dead.get(1).get("payload").asText()).isEmpty();
        assertThat(dead.get(2).get("topic").asText()).isEqualTo("items");
        assertThat(dead.get(2).get("reason").asText()).startsWith("tombstone record");
    }

    @Test
    void anOverlongTitleNeverReachesTheCatalog() throws Exception {
        String item = "{\"id\":\"i1\",\"title\":\"" + "t".repeat(100_000) + "\"}";
        List<JsonNode> dead = deadLetters(fromKafka("items", 9, item.getBytes(StandardCharsets.UTF_8)));
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).get("reason").asText()).contains("field 'title'", "at most 512");
    }
}
