package dev.duet.bench.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The suite's reports: {@code faults.json}, {@code faults.md} and the printed table. */
final class FaultReport {

    static final String JSON_FILE = "faults.json";
    static final String MARKDOWN_FILE = "faults.md";

    private FaultReport() {}

    /**
     * @param context run facts (command, started, machine, settings, ...), written as given
     * @param baseline the steady stream before the first fault
     */
    static void write(Path dir, Map<String, Object> context, FaultLedger.Counts baseline, List<FaultResult> results,
            List<String> problems) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>(context);
        Map<String, Object> faults = new LinkedHashMap<>();
        for (FaultResult r : results) {
            faults.put(r.fault().key, json(r));
        }
        root.put("faults", faults);
        root.put("baseline", counts(baseline));
        root.put("ok", problems.isEmpty());
        root.put("problems", problems);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(JSON_FILE).toFile(), root);
        Files.writeString(dir.resolve(MARKDOWN_FILE), markdown(context, baseline, results, problems));
    }

    private static Map<String, Object> json(FaultResult r) {
        Map<String, Object> m = counts(r.counts());
        m.put("llm_recovery_s", r.llmRecoverySeconds() == null ? null : round(r.llmRecoverySeconds()));
        m.put("state_survived", r.stateSurvived());
        m.put("description", r.fault().description);
        m.put("llm_recovery_from", r.recoveryFrom());
        m.put("repair_s", Double.isFinite(r.repairSeconds()) ? round(r.repairSeconds()) : null);
        m.put("breakers_closed_s", r.breakersClosedSeconds() == null ? null : round(r.breakersClosedSeconds()));
        Map<String, Object> probe = new LinkedHashMap<>();
        probe.put("user_interactions_before", r.probeInteractionsBefore());
        probe.put("user_interactions_after", r.probeInteractionsAfter());
        probe.put("max_crm_score_difference", Double.isFinite(r.probeMaxScoreDifference()) ? r.probeMaxScoreDifference() : null);
        m.put("probe", probe);
        if (r.resumedFrom() != null) {
            m.put("resumed_from", r.resumedFrom());
        }
        m.put("ok", r.ok());
        m.put("problems", r.problems());
        return m;
    }

    private static Map<String, Object> counts(FaultLedger.Counts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("in", c.in());
        m.put("out", c.out());
        m.put("lost", c.lost());
        m.put("duplicates", c.duplicates());
        m.put("fallbacks", c.fallbacks());
        m.put("llm", c.llm());
        m.put("fallback_reasons", c.fallbackReasons());
        return m;
    }

    /** The table printed at the end and put into faults.md. */
    static String table(FaultLedger.Counts baseline, List<FaultResult> results) {
        StringBuilder s = new StringBuilder();
        s.append("| fault | in | out | lost | duplicates | fallbacks | llm | llm_recovery_s | repair_s | state_survived |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        s.append(row("(steady, before the faults)", baseline, "", "", ""));
        for (FaultResult r : results) {
            s.append(row(r.fault().key, r.counts(),
                    r.llmRecoverySeconds() == null ? "none" : String.format(Locale.ROOT, "%.2f", r.llmRecoverySeconds()),
                    String.format(Locale.ROOT, "%.1f", r.repairSeconds()),
                    r.stateSurvived() ? "yes (" + r.probeInteractionsBefore() + " = " + r.probeInteractionsAfter() + ")"
                            : "NO (" + r.probeInteractionsBefore() + " -> " + r.probeInteractionsAfter() + ")"));
        }
        return s.toString();
    }

    private static String row(String name, FaultLedger.Counts c, String recovery, String repair, String state) {
        return String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,d | %,d | %s | %s | %s |%n", name, c.in(), c.out(),
                c.lost(), c.duplicates(), c.fallbacks(), c.llm(), recovery, repair, state);
    }

    private static String markdown(Map<String, Object> context, FaultLedger.Counts baseline, List<FaultResult> results,
            List<String> problems) {
        StringBuilder s = new StringBuilder("# Fault suite\n\n");
        s.append("`").append(context.get("command")).append("`, started ").append(context.get("started")).append(", commit ")
                .append(context.get("commit")).append(", ").append(context.get("machine")).append(", load average ")
                .append(context.get("load_average")).append(".\n\n");
        s.append("Stream: ").append(context.get("stream")).append("; job options ").append(context.get("job_options"))
                .append(".\n\n");
        s.append(table(baseline, results)).append('\n');
        s.append("- `in`: inputs the broker acknowledged while the fault's phase ran (from its start to the next phase's);"
                + " `out`: their outputs on `recommendations` read with read_committed; `lost`: inputs without an output;"
                + " `duplicates`: outputs beyond the first per input; `fallbacks`, `llm`: inputs answered on that route.\n");
        s.append("- `llm_recovery_s`: from the moment named below to the first input answered on route llm that the job"
                + " ingested at or after it (the output's Kafka timestamp minus its latency_ms).\n");
        s.append("- `state_survived`: the probe user's `user_interactions` and CRM scores of one request (same candidates,"
                + " same event time) before the fault and after it.\n\n");
        for (FaultResult r : results) {
            s.append("**").append(r.fault().key).append("** (").append(r.fault().description).append("): LLM recovery from ")
                    .append(r.recoveryFrom()).append("; fallbacks by reason ").append(r.counts().fallbackReasons())
                    .append("; probe CRM scores differ by at most ")
                    .append(Double.isFinite(r.probeMaxScoreDifference())
                            ? String.format(Locale.ROOT, "%.2g", r.probeMaxScoreDifference()) : "n/a");
            if (r.breakersClosedSeconds() != null) {
                s.append(String.format(Locale.ROOT, "; every breaker that opened for a restarted worker closed at most %.2f s after that worker served again",
                        r.breakersClosedSeconds()));
            }
            if (r.resumedFrom() != null) {
                s.append("; the job logged: `").append(r.resumedFrom().trim()).append('`');
            }
            s.append(r.ok() ? "." : "; PROBLEMS: " + String.join("; ", r.problems())).append("\n\n");
        }
        s.append(problems.isEmpty() ? "Result: OK.\n" : "Result: FAILED: " + String.join("; ", problems) + "\n");
        return s.toString();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
