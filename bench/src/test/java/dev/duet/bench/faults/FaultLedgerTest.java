package dev.duet.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultLedgerTest {

    @Test
    void countsEachPhasesInputsLostDuplicatedAndFallbacks() {
        FaultLedger ledger = new FaultLedger();
        ledger.sent("interaction:interactions-0-0", "a");
        ledger.sent("interaction:interactions-0-1", "a");
        ledger.sent("request:r1", "a");
        ledger.sent("interaction:interactions-1-0", "b");
        ledger.output("interaction:interactions-0-0", "crm", null, 1000);
        ledger.output("interaction:interactions-0-0", "crm", null, 1000);
        ledger.output("request:r1", "fallback", "127.0.0.1:5: DEADLINE_EXCEEDED: deadline exceeded after 0.8s", 1200);
        ledger.output("interaction:interactions-1-0", "llm", null, 2000);
        ledger.output("interaction:interactions-9-9", "crm", null, 2500);

        FaultLedger.Counts a = ledger.counts("a");
        assertThat(a.in()).isEqualTo(3);
        assertThat(a.out()).isEqualTo(3);
        assertThat(a.lost()).isEqualTo(1);
        assertThat(a.duplicates()).isEqualTo(1);
        assertThat(a.fallbacks()).isEqualTo(1);
        assertThat(a.fallbackReasons()).isEqualTo(Map.of("DEADLINE_EXCEEDED", 1));
        FaultLedger.Counts b = ledger.counts("b");
        assertThat(b.in()).isEqualTo(1);
        assertThat(b.llm()).isEqualTo(1);
        assertThat(b.lost()).isZero();
        assertThat(ledger.pending()).isEqualTo(1);
        assertThat(ledger.unexpected()).isEqualTo(1);
        assertThatThrownBy(() -> ledger.sent("request:r1", "b")).hasMessageContaining("request:r1");
    }

    @Test
    void findsTheFirstIngestOnARouteAtOrAfterAMoment() {
        FaultLedger ledger = new FaultLedger();
        ledger.output("k1", "llm", null, 900);
        ledger.output("k2", "crm", null, 1000);
        ledger.output("k3", "llm", null, 1500);
        ledger.output("k4", "llm", null, 1200);
        assertThat(ledger.firstIngestAtOrAfter(1000, "llm")).hasValue(1200);
        assertThat(ledger.firstIngestAtOrAfter(1000, null)).hasValue(1000);
        assertThat(ledger.firstIngestAtOrAfter(1600, "llm")).isEmpty();
    }

    @Test
    void fallbackReasonsAreGroupedByKind() {
        assertThat(FaultLedger.reasonKind("timeout")).isEqualTo("timeout");
        assertThat(FaultLedger.reasonKind("circuit open on every worker after 127.0.0.1:1: UNAVAILABLE: io exception"))
                .isEqualTo("circuit open on every worker");
        assertThat(FaultLedger.reasonKind("127.0.0.1:50051: UNAVAILABLE: io exception")).isEqualTo("UNAVAILABLE");
        assertThat(FaultLedger.reasonKind(null)).isEqualTo("unknown");
    }

    @Test
    void theProbesScoresAreComparedByItem() throws Exception {
        ObjectMapper json = new ObjectMapper();
        var before = json.readTree("{\"items\":[\"a\",\"b\"],\"crm_scores\":[0.5,0.25]}");
        var reordered = json.readTree("{\"items\":[\"b\",\"a\"],\"crm_scores\":[0.25,0.5001]}");
        var other = json.readTree("{\"items\":[\"a\",\"c\"],\"crm_scores\":[0.5,0.25]}");
        assertThat(FaultSuite.scoreDifference(before, reordered)).isCloseTo(1e-4, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(FaultSuite.scoreDifference(before, other)).isNaN();
        assertThat(FaultSuite.scoreDifference(before, null)).isNaN();
    }

    @Test
    void faultsParseByNameInTheGivenOrder() {
        assertThat(Fault.parse("job-crash, worker-restart")).isEqualTo(List.of(Fault.JOB_CRASH, Fault.WORKER_RESTART));
        assertThatThrownBy(() -> Fault.parse("disk-full")).hasMessageContaining("disk-full");
    }
}
