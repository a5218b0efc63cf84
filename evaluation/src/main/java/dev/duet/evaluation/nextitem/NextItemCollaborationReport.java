package dev.duet.evaluation.nextitem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.duet.trainer.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** report.json, report.md and next_item_collaboration.png of {@code eval --task next-item --llm}. */
public final class NextItemCollaborationReport {

    private NextItemCollaborationReport() {}

    @SuppressWarnings("unchecked")
    public static void write(Path dir, Map<String, Object> report) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), report);
        Map<String, Object> c = (Map<String, Object>) report.get("next_item_collaboration");
        List<Map<String, Object>> rows = (List<Map<String, Object>>) c.get("rows");
        double[] x = rows.stream().mapToDouble(r -> 100 * ((Number) r.get("budget")).doubleValue()).toArray();
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("overall HR@1 (routed)", rows.stream().mapToDouble(r -> mean(at(r, "overall", "hr@1"))).toArray());
        double alone = mean((Map<String, Object>) ((Map<String, Object>) c.get("sequence_alone")).get("test"));
        series.put("sequence model alone", rows.stream().mapToDouble(r -> alone).toArray());
        series.put("routed cases: sequence model", rows.stream().mapToDouble(r -> mean(routed(r, "sequence"))).toArray());
        series.put("routed cases: LLM side", rows.stream().mapToDouble(r -> mean(routed(r, "llm"))).toArray());
        Map<String, Object> llm = (Map<String, Object>) report.get("llm");
        Charts.lines(dir.resolve("next_item_collaboration.png"),
                "Next-item on test (" + report.get("dataset") + "): HR@1 against routing budget, LLM side " + llm.get("model_name"),
                "routing budget (% of cases the LLM side reranks)", "HR@1 (mean over candidate seeds)", x, series);
        Files.writeString(dir.resolve("report.md"), markdown(report));
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> report) {
        Map<String, Object> c = (Map<String, Object>) report.get("next_item_collaboration");
        Map<String, Object> llm = (Map<String, Object>) report.get("llm");
        Map<String, Object> model = (Map<String, Object>) report.get("sequence_model");
        Map<String, Object> alone = (Map<String, Object>) c.get("sequence_alone");
        StringBuilder md = new StringBuilder();
        md.append("# Next-item collaboration: sequence model and LLM side\n\n")
                .append("Data set `").append(report.get("dataset")).append("`, cases ").append(c.get("cases"))
                .append(", ").append(c.get("candidates")).append(" candidates (LLaRA's protocol, PROTOCOL.md section 2),")
                .append(" candidate-sampling seeds ").append(c.get("seeds")).append(".\n\n")
                .append("Sequence model: `").append(model.get("name")).append("` version `").append(model.get("version"))
                .append("` (").append(model.get("file")).append(").\n\n")
                .append("**LLM side that ran:** `").append(llm.get("model_name")).append("`: ").append(llm.get("what_it_is"))
                .append(". ").append(llm.get("requests")).append(" listwise requests, ")
                .append(fmt(llm.get("ms_per_request"), 1)).append(" ms each; ").append(llm.get("rejected"))
                .append(" rejected by the backend (the sequence model's answer stands for those)").append(".\n\n")
                .append("Routing: the cases where the sequence model's softmax over the candidates is least sure (`")
                .append(c.get("uncertainty")).append("`, chosen on validation over entropy and 1 - top-1 margin) go to the LLM")
                .append(" side, which reranks all their candidates (shown in a shuffled order); thresholds from validation,")
                .append(" applied to test.\n\n")
                .append("![next-item collaboration](next_item_collaboration.png)\n\n")
                .append("Sequence model alone: valid HR@1 ").append(pm(alone.get("valid"))).append(", test HR@1 ")
                .append(pm(alone.get("test"))).append(".\n\n")
                .append("| budget | routed share (test) | routed: sequence HR@1 | routed: LLM side HR@1 | kept: sequence HR@1 |")
                .append(" overall test HR@1 | sequence alone | valid overall HR@1 |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : (List<Map<String, Object>>) c.get("rows")) {
            md.append("| ").append(fmt(100 * ((Number) r.get("budget")).doubleValue(), 0)).append(" % | ")
                    .append(pct((Map<String, Object>) ((Map<String, Object>) r.get("routed")).get("share"))).append(" | ")
                    .append(pm(routed(r, "sequence"))).append(" | ").append(pm(routed(r, "llm"))).append(" | ")
                    .append(pm(at(r, "kept", "hr@1"))).append(" | **").append(pm(at(r, "overall", "hr@1"))).append("** | ")
                    .append(pm(alone.get("test"))).append(" | ").append(pm(at(r, "valid_overall", "hr@1"))).append(" |\n");
        }
        md.append("\nMean +- sample std over the seeds. Published anchors (LLaRA Table 2, LastFM / MovieLens-100K HR@1):")
                .append(" SASRec 0.2233 / 0.3444, LLaRA 0.4508 / 0.4421; a plain PyTorch SASRec reaches 0.361 +- 0.019 on")
                .append(" LastFM (PROTOCOL.md).\n\n")
                .append("Unknown to the sequence model: ").append(c.get("unknown_to_the_model")).append(".\n");
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> at(Map<String, Object> row, String part, String metric) {
        return (Map<String, Object>) ((Map<String, Object>) row.get(part)).get(metric);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> routed(Map<String, Object> row, String side) {
        return (Map<String, Object>) at(row, "routed", "hr@1").get(side);
    }

    private static double mean(Map<String, Object> stat) {
        Object v = stat.get("mean");
        return v instanceof Number n ? n.doubleValue() : 0;
    }

    @SuppressWarnings("unchecked")
    private static String pm(Object stat) {
        Map<String, Object> s = (Map<String, Object>) stat;
        if (!(s.get("mean") instanceof Number)) {
            return "n/a";
        }
        return fmt(s.get("mean"), 4) + " +- " + fmt(s.get("std"), 4);
    }

    private static String pct(Map<String, Object> s) {
        return s.get("mean") instanceof Number n ? fmt(100 * n.doubleValue(), 1) + " %" : "n/a";
    }

    private static String fmt(Object value, int digits) {
        return value instanceof Number n ? String.format(Locale.ROOT, "%." + digits + "f", n.doubleValue()) : String.valueOf(value);
    }
}
