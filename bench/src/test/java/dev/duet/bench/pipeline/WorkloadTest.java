package dev.duet.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.core.events.EventParser;
import dev.duet.core.events.InteractionEvent;
import dev.duet.core.events.RecommendationRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

/** The benchmark's inputs are valid events in the job's formats, and their ids map back to inputs. */
class WorkloadTest {

    private static final Dataset DATA =
            new SyntheticDatasetGenerator(SyntheticConfig.builder().users(50).items(100).ratings(600).build()).generate();

    @Test
    void everyEventParsesAndRequestsComeEveryNInteractions() throws Exception {
        Workload workload = new Workload(DATA, 4, 12, 5, 1);
        Workload.Cursor cursor = workload.cursor();
        int requests = 0;
        long lastTime = Long.MIN_VALUE;
        // Three rounds over the data set: time keeps going forward when it starts over.
        int events = 3 * DATA.interactions().size() * 5 / 4;
        for (int i = 0; i < events; i++) {
            Workload.Event e = cursor.next();
            String json = new String(e.value(), StandardCharsets.UTF_8);
            if (e.request()) {
                assertThat(i % 5).as("event %d", i).isEqualTo(4);
                RecommendationRequest r = EventParser.parseRequest(json, 0);
                assertThat(r.requestId()).isEqualTo(Workload.REQUEST_PREFIX + requests);
                assertThat(e.requestIndex()).isEqualTo(requests);
                assertThat(new HashSet<>(r.candidates())).hasSize(12);
                assertThat(r.k()).isEqualTo(5);
                assertThat(new String(e.key(), StandardCharsets.UTF_8)).isEqualTo(r.userId());
                requests++;
            } else {
                InteractionEvent it = EventParser.parseInteraction(json);
                assertThat(new String(e.key(), StandardCharsets.UTF_8)).isEqualTo(it.userId());
                assertThat(it.timestampMs()).isGreaterThanOrEqualTo(lastTime);
                assertThat(it.profile()).as("synthetic users have profiles").isNotNull();
                lastTime = it.timestampMs();
            }
        }
        assertThat(requests).isEqualTo(events / 5);
        assertThat(workload.requestsIn(events)).isEqualTo(events / 5);
        assertThat(cursor.position()).isEqualTo(events);
    }

    @Test
    void twoCursorsGiveTheSameStream() {
        Workload workload = new Workload(DATA, 3, 10, 3, 9);
        Workload.Cursor a = workload.cursor();
        Workload.Cursor b = workload.cursor();
        for (int i = 0; i < 500; i++) {
            assertThat(a.next().value()).isEqualTo(b.next().value());
        }
    }

    @Test
    void outputIdsMapBackToInputs() {
        OutputKey interaction = OutputKey.parse("interaction", "bench-1-a-drain-interactions-1-12345", "bench-1-a-drain-interactions");
        assertThat(interaction).isEqualTo(new OutputKey(false, 1, 12345));
        assertThat(OutputKey.unpack(interaction.pack())).isEqualTo(interaction);
        OutputKey request = OutputKey.parse("request", Workload.REQUEST_PREFIX + 77, "x");
        assertThat(request).isEqualTo(new OutputKey(true, 0, 77));
        assertThat(OutputKey.unpack(request.pack())).isEqualTo(request);
        assertThat(OutputKey.parse("interaction", "other-topic-0-1", "bench-1-a-drain-interactions")).isNull();
        assertThat(OutputKey.parse("request", "someone-elses-request", "x")).isNull();
    }

    @Test
    void aCatalogSmallerThanTheCandidatesIsRefused() {
        assertThatThrownBy(() -> new Workload(DATA, 3, 101, 3, 1)).hasMessageContaining("candidates");
    }

    @Test
    void latencyQuantilesAreNearestRank() {
        long[] values = new long[100];
        for (int i = 0; i < 100; i++) {
            values[i] = 100 - i;
        }
        LatencyStats s = LatencyStats.of(values);
        assertThat(s.count()).isEqualTo(100);
        assertThat(s.p50()).isEqualTo(50);
        assertThat(s.p99()).isEqualTo(99);
        assertThat(s.max()).isEqualTo(100);
        assertThat(LatencyStats.of(new long[0]).p50()).isNaN();
    }
}
