package dev.duet.evaluation.calibration;

import dev.duet.trainer.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The collaboration part of the report: a Markdown section appended to report.md and collaboration.png. */
final class CollaborationReport {

    private CollaborationReport() {}

    @SuppressWarnings("unchecked")
    static void write(Path dir, Map<String, Object> report) throws IOException {
        Map<String, Object> c = (Map<String, Object>) report.get("collaboration");
        List<Map<String, Object>> rows = (List<Map<String, Object>>) c.get("rows");
        chart(dir.resolve("collaboration.png"), c, rows, String.valueOf(report.get("dataset")));
        Files.writeString(dir.resolve("report.md"), markdown(c, rows), StandardOpenOption.APPEND);
    }

    @SuppressWarnings("unchecked")
    private static void chart(Path file, Map<String, Object> c, List<Map<String, Object>> rows, String dataset) throws IOException {
        List<Double> budgets = rows.stream().filter(r -> CollaborationEvaluator.RULE_ENTROPY.equals(r.get("rule")))
                .map(r -> (Double) r.get("budget")).toList();
        double[] x = budgets.stream().mapToDouble(b -> 100 * b).toArray();
        Map<String, double[]> series = new LinkedHashMap<>();
        for (String rule : List.of(CollaborationEvaluator.RULE_ENTROPY, CollaborationEvaluator.RULE_GATE)) {
            series.put("routed by " + rule, rows.stream().filter(r -> rule.equals(r.get("rule")))
                    .mapToDouble(r -> auc(r)).toArray());
        }
        series.put("CRM alone", flat(auc((Map<String, Object>) c.get("crm")), x.length));
        series.put("LLM alone", flat(auc((Map<String, Object>) c.get("llm")), x.length));
        Charts.lines(file, "Collaboration on test (" + dataset + ", " + c.get("samples") + " samples): AUC against routing budget",
                "routing budget (% of samples the LLM may answer)", "AUC", x, series);
    }

    @SuppressWarnings("unchecked")
    private static double auc(Map<String, Object> row) {
        double v = ((Number) ((Map<String, Object>) row.get("overall")).get("auc")).doubleValue();
        return Double.isNaN(v) ? 0 : v;
    }

    private static double[] flat(double v, int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> c, List<Map<String, Object>> rows) {
        StringBuilder md = new StringBuilder();
        md.append("\n## Collaboration (test, ").append(c.get("samples")).append(" of ").append(c.get("test_samples"))
                .append(" samples, seed ").append(c.get("seed")).append(")\n\n")
                .append("LLM: `").append(c.get("llm_model")).append("`, ").append(fmt(c.get("llm_ms_per_call"), 2))
                .append(" ms per call. Calibration (validation only): `").append(c.get("calibration")).append("`.\n\n")
                .append("![collaboration](collaboration.png)\n\n")
                .append("| rule | budget | routed | AUC | LogLoss | accuracy | routed: CRM AUC | routed: LLM AUC | cold users AUC | long-tail AUC | LLM calls | LLM s | LLM share of s |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        row(md, (Map<String, Object>) c.get("crm"), "CRM alone");
        row(md, (Map<String, Object>) c.get("llm"), "LLM alone");
        for (Map<String, Object> r : rows) {
            row(md, r, String.valueOf(r.get("rule")));
        }
        Map<String, Object> best = (Map<String, Object>) c.get("best");
        md.append("\nBest routed configuration: ").append(best.get("rule")).append(" at ")
                .append(fmt(100 * ((Number) best.get("budget")).doubleValue(), 0)).append(" %: AUC ")
                .append(fmt(best.get("auc"), 4)).append(" vs CRM ").append(fmt(best.get("crm_auc"), 4))
                .append(" (").append(signed(best.get("delta_auc"))).append("), LogLoss ")
                .append(fmt(best.get("logloss"), 4)).append(" vs ").append(fmt(best.get("crm_logloss"), 4))
                .append(", accuracy ").append(fmt(best.get("accuracy"), 4)).append(" vs ")
                .append(fmt(best.get("crm_accuracy"), 4)).append(", on the same test samples.\n");
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static void row(StringBuilder md, Map<String, Object> r, String name) {
        Map<String, Object> q = (Map<String, Object>) r.get("overall");
        Map<String, Object> routed = (Map<String, Object>) r.get("routed");
        Object budget = r.get("budget");
        md.append("| ").append(name).append(" | ")
                .append(budget == null ? "" : fmt(100 * ((Number) budget).doubleValue(), 0) + " %").append(" | ")
                .append(routed == null ? "" : fmt(100 * ((Number) routed.get("share")).doubleValue(), 1) + " %").append(" | ")
                .append(fmt(q.get("auc"), 4)).append(" | ").append(fmt(q.get("logloss"), 4)).append(" | ")
                .append(fmt(q.get("accuracy"), 4)).append(" | ")
                .append(routed == null ? "" : fmt(((Map<String, Object>) routed.get("crm")).get("auc"), 4)).append(" | ")
                .append(routed == null ? "" : fmt(((Map<String, Object>) routed.get("llm")).get("auc"), 4)).append(" | ")
                .append(fmt(((Map<String, Object>) r.get("cold_users")).get("auc"), 4)).append(" | ")
                .append(fmt(((Map<String, Object>) r.get("long_tail_items")).get("auc"), 4)).append(" | ")
                .append(r.get("llm_calls")).append(" | ").append(fmt(r.get("llm_seconds"), 2)).append(" | ")
                .append(fmt(100 * ((Number) r.get("llm_seconds_share")).doubleValue(), 1)).append(" % |\n");
    }

    static String fmt(Object value, int digits) {
        if (!(value instanceof Number)) {
            return String.valueOf(value);
        }
        double v = ((Number) value).doubleValue();
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String signed(Object value) {
        double v = ((Number) value).doubleValue();
        return (v >= 0 ? "+" : "") + fmt(v, 4);
    }
}
