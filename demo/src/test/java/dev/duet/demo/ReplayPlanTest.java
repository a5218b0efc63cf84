package dev.duet.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.Interaction;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.core.events.EventParser;
import dev.duet.core.events.InvalidEventException;
import dev.duet.core.samples.SampleBuilder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayPlanTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Dataset DATA =
            new SyntheticDatasetGenerator(SyntheticConfig.builder().users(100).items(200).ratings(5000).build()).generate();

    @Test
    void countsAddUpAndTheReplayEndsWithTheTestPeriod() throws Exception {
        ReplayPlan plan = ReplayPlan.of(DATA, 1100, 10, 20, 5, 6, 1);
        assertThat(plan.interactions() + plan.requests()).isEqualTo(1100);
        assertThat(plan.requests()).isEqualTo(100);
        assertThat(plan.bad()).isEqualTo(6);
        assertThat(plan.records()).hasSize(1106);

        List<Interaction> sorted = SampleBuilder.inTimeOrder(DATA.interactions());
        Interaction last = sorted.get(sorted.size() - 1);
        InputRecord lastInteraction = plan.records().stream()
                .filter(r -> r.kind() == InputRecord.Kind.INTERACTION).reduce((a, b) -> b).orElseThrow();
        JsonNode node = JSON.readTree(lastInteraction.value());
        assertThat(node.get("timestamp").asLong()).isEqualTo(last.timestampMs());
        int testPeriod = sorted.size() - (int) Math.floor(sorted.size() * 0.9);
        assertThat(plan.testPeriodInteractions()).isEqualTo(testPeriod);
    }

    @Test
    void goodRecordsParseAndBadOnesAreRejected() {
        ReplayPlan plan = ReplayPlan.of(DATA, 500, 5, 20, 5, 6, 1);
        Set<String> requestIds = new HashSet<>();
        int rejected = 0;
        for (InputRecord r : plan.records()) {
            try {
                if (r.topic().equals(Topics.INTERACTIONS)) {
                    EventParser.parseInteraction(r.value());
                } else {
                    var request = EventParser.parseRequest(r.value(), 0L);
                    assertThat(request.candidates()).hasSize(20).allMatch(DATA.items()::containsKey);
                    assertThat(requestIds.add(request.requestId())).isTrue();
                }
                assertThat(r.kind()).as(r.value()).isNotEqualTo(InputRecord.Kind.BAD);
            } catch (InvalidEventException e) {
                assertThat(r.kind()).as(r.value()).isEqualTo(InputRecord.Kind.BAD);
                rejected++;
            }
        }
        assertThat(rejected).isEqualTo(6);
    }

    @Test
    void aShareOfRequestsComesWithoutCandidatesForTheJobToRetrieve() throws Exception {
        ReplayPlan plan = ReplayPlan.of(DATA, 1100, 10, 20, 5, 0.5, 0, 1);
        int without = 0;
        for (InputRecord r : plan.records()) {
            if (r.kind() == InputRecord.Kind.REQUEST) {
                var request = EventParser.parseRequest(r.value(), 0L);
                if (request.candidates().isEmpty()) {
                    without++;
                } else {
                    assertThat(request.candidates()).hasSize(20);
                }
            }
        }
        assertThat(plan.requests()).isEqualTo(100);
        assertThat(without).isBetween(35, 65);
        assertThat(ReplayPlan.of(DATA, 1100, 10, 20, 5, 1.0, 0, 1).records())
                .filteredOn(r -> r.kind() == InputRecord.Kind.REQUEST)
                .allMatch(r -> !r.value().contains("candidates"));
    }

    @Test
    void tooManyEventsForTheDataFailClearly() {
        assertThatThrownBy(() -> ReplayPlan.of(DATA, 1_000_000, 10, 20, 5, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--events");
    }

    @Test
    void theLedgerFindsLostAndDuplicatedOutputs() {
        Ledger ledger = new Ledger();
        ledger.sent(Ledger.interactionKey("interactions", 0, 1), InputRecord.Kind.INTERACTION);
        ledger.sent(Ledger.interactionKey("interactions", 0, 2), InputRecord.Kind.INTERACTION);
        ledger.sent(Ledger.requestKey("r1"), InputRecord.Kind.REQUEST);
        ledger.sent(Ledger.deadLetterKey("requests", 1, 7), InputRecord.Kind.BAD);
        ledger.recommendation("interaction:interactions-0-1");
        ledger.recommendation("interaction:interactions-0-1");
        ledger.recommendation(Ledger.requestKey("r1"));
        ledger.deadLetter(Ledger.deadLetterKey("requests", 1, 7));

        Ledger.Accounts a = ledger.accounts();
        assertThat(a.inputs()).isEqualTo(4);
        assertThat(a.lost()).isEqualTo(1);
        assertThat(a.duplicates()).isEqualTo(1);
        assertThat(a.unexpected()).isZero();
        assertThat(a.distinctOutputs()).isEqualTo(2);
    }
}
