package dev.duet.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BreakerLogTest {

    private static long ms(String time) {
        return LocalDateTime.parse("2026-12-08T" + time).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
    }

    @Test
    void theLastOfEachBreakersFirstClosingAfterTheFault(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("job.log");
        String logger = " INFO  dev.duet.job.llm.LlmPool - LLM worker ";
        Files.write(log, List.of(
                "2026-12-08 01:17:00,000" + logger + "127.0.0.1:1: circuit breaker closed, answering again after 900 ms (llm pool subtask 0/2)",
                "2026-12-08 01:17:21,178 WARN  dev.duet.job.llm.LlmPool - LLM worker 127.0.0.1:1: circuit breaker opened after 5"
                        + " consecutive failures (llm pool subtask 1/2)",
                "2026-12-08 01:17:34,329" + logger + "127.0.0.1:1: circuit breaker closed, answering again after 13151 ms (llm pool subtask 1/2)",
                "2026-12-08 01:17:35,500" + logger + "127.0.0.1:1: circuit breaker closed, answering again after 14000 ms (llm pool subtask 0/2)",
                "2026-12-08 01:17:40,000" + logger + "127.0.0.1:1: circuit breaker closed, answering again after 100 ms (llm pool subtask 0/2)",
                "2026-12-08 01:17:50,000" + logger + "127.0.0.1:2: circuit breaker closed, answering again after 100 ms (llm pool subtask 0/2)",
                "\tat some.stack.Frame(Frame.java:1)"));
        assertThat(BreakerLog.allClosedAfter(log, List.of("127.0.0.1:1"), ms("01:17:10"))).hasValue(ms("01:17:35.500"));
        assertThat(BreakerLog.allClosedAfter(log, List.of("127.0.0.1:1", "127.0.0.1:2"), ms("01:17:10")))
                .hasValue(ms("01:17:50"));
        assertThat(BreakerLog.allClosedAfter(log, List.of("127.0.0.1:3"), ms("01:17:10"))).isEmpty();
        assertThat(BreakerLog.allClosedAfter(dir.resolve("none.log"), List.of("127.0.0.1:1"), 0)).isEmpty();
    }
}
