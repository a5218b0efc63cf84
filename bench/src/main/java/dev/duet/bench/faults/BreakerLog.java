package dev.duet.bench.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the job's log (its file, {@code log.file}, pattern {@code yyyy-MM-dd HH:mm:ss,SSS LEVEL
 * logger - message}) for the circuit breakers closing again: the moment a restarted worker is back
 * in the job's pool, which the outputs cannot show while another worker answers.
 */
final class BreakerLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    private static final Pattern CLOSED = Pattern.compile(
            "^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}) .*LLM worker (\\S+): circuit breaker closed.*\\(llm pool subtask (\\d+)/");

    private BreakerLog() {}

    /**
     * For the workers named (host:port), the first breaker closing per worker and pool subtask at
     * or after {@code fromMs}; the latest of those: when every breaker that had opened for them
     * was closed again. Empty when none closed (none had opened).
     */
    static OptionalLong allClosedAfter(Path jobLog, List<String> targets, long fromMs) throws IOException {
        if (!Files.exists(jobLog)) {
            return OptionalLong.empty();
        }
        Map<String, Long> firstPerBreaker = new HashMap<>();
        for (String line : Files.readAllLines(jobLog, StandardCharsets.UTF_8)) {
            Matcher m = CLOSED.matcher(line);
            if (!m.find() || !targets.contains(m.group(2))) {
                continue;
            }
            long ms;
            try {
                ms = LocalDateTime.parse(m.group(1), TIME).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                continue;
            }
            if (ms >= fromMs) {
                firstPerBreaker.putIfAbsent(m.group(2) + "/" + m.group(3), ms);
            }
        }
        return firstPerBreaker.values().stream().mapToLong(Long::longValue).max();
    }
}
