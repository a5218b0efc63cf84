package dev.duet.trainer.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.duet.core.metrics.EntropyDeciles;
import dev.duet.trainer.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an evaluation as {@code report.json} (the machine-readable record, keys documented in the
 * README), {@code report.md} (for people) and {@code entropy_deciles.png}.
 */
public final class ReportWriter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportWriter() {}

    /**
     * Builds the report tree.
     *
     * @param header dataset, samples, timings and model facts, written first
     * @param test the test-split evaluation
     * @param valid the validation-split evaluation (may be null)
     * @param mainModel the model whose entropy deciles are reported
     */
    public static Map<String, Object> report(
            Map<String, Object> header, Evaluation test, Evaluation valid, String mainModel) {
        Map<String, Object> root = new LinkedHashMap<>(header);
        Map<String, Object> models = new LinkedHashMap<>();
        for (String model : test.predictions().keySet()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("test", quality(test.overall(model)));
            if (valid != null && valid.predictions().containsKey(model)) {
                entry.put("valid", quality(valid.overall(model)));
            }
            models.put(model, entry);
        }
        root.put("models", models);
        List<Map<String, Object>> deciles = new ArrayList<>();
        for (EntropyDeciles.Decile d : test.entropyDeciles(mainModel)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("decile", d.decile());
            entry.put("entropy_lo", d.entropyLo());
            entry.put("entropy_hi", d.entropyHi());
            entry.put("count", d.count());
            entry.put("auc", d.auc());
            entry.put("accuracy", d.accuracy());
            entry.put("logloss", d.logLoss());
            deciles.add(entry);
        }
        root.put("entropy_deciles_model", mainModel);
        root.put("entropy_deciles", deciles);
        Map<String, Object> segments = new LinkedHashMap<>();
        segments.put("cold_users", segment(test, "history < 5 items before the sample", test::coldUsers));
        segments.put("cold_users_strict", segment(test, "history < 3 items before the sample (S-LLMR)", test::coldUsersStrict));
        segments.put("long_tail_items", segment(test, "the 20 % least popular catalog items by training interactions", test::longTailItems));
        root.put("segments", segments);
        return root;
    }

    private static Map<String, Object> segment(
            Evaluation test, String definition, java.util.function.Function<String, Evaluation.Quality> quality) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("definition", definition);
        int count = -1;
        for (String model : test.predictions().keySet()) {
            Evaluation.Quality q = quality.apply(model);
            count = q.count();
            entry.put(model, quality(q));
        }
        entry.put("count", count);
        return entry;
    }

    private static Map<String, Object> quality(Evaluation.Quality q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("auc", q.auc());
        m.put("logloss", q.logLoss());
        m.put("accuracy", q.accuracy());
        m.put("count", q.count());
        return m;
    }

    /** Writes report.json, report.md and entropy_deciles.png into {@code dir}. */
    @SuppressWarnings("unchecked")
    public static void write(Path dir, Map<String, Object> report, String title) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("report.json").toFile(), report);
        List<Map<String, Object>> deciles = (List<Map<String, Object>>) report.get("entropy_deciles");
        double[] x = new double[deciles.size()];
        double[] auc = new double[deciles.size()];
        double[] accuracy = new double[deciles.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = ((Number) deciles.get(i).get("decile")).doubleValue();
            auc[i] = nanToZero(((Number) deciles.get(i).get("auc")).doubleValue());
            accuracy[i] = ((Number) deciles.get(i).get("accuracy")).doubleValue();
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("accuracy", accuracy);
        series.put("AUC", auc);
        Charts.lines(
                dir.resolve("entropy_deciles.png"),
                report.get("entropy_deciles_model") + " on test: quality per entropy decile (" + report.get("dataset") + ")",
                "entropy decile (1 = most certain, 10 = least certain)",
                "quality",
                x,
                series);
        Files.writeString(dir.resolve("report.md"), markdown(report, title));
    }

    private static double nanToZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> report, String title) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        md.append("Data set: `").append(report.get("dataset")).append("`");
        Map<String, Object> samples = (Map<String, Object>) report.get("samples");
        if (samples != null) {
            md.append(", samples train / valid / test: ")
                    .append(samples.get("train")).append(" / ")
                    .append(samples.get("valid")).append(" / ")
                    .append(samples.get("test"));
        }
        md.append(".\n");
        if (report.containsKey("train_seconds")) {
            md.append("DCNv2 training took ").append(fmt(report.get("train_seconds"), 1)).append(" s");
            if (report.containsKey("machine")) {
                md.append(" on ").append(((Map<String, Object>) report.get("machine")).get("description"));
            }
            md.append(".\n");
        }
        md.append("\n## Test split\n\n| model | AUC | LogLoss | accuracy |\n|---|---|---|---|\n");
        Map<String, Object> models = (Map<String, Object>) report.get("models");
        models.forEach((name, entry) -> {
            Map<String, Object> t = (Map<String, Object>) ((Map<String, Object>) entry).get("test");
            md.append("| ").append(name).append(" | ").append(fmt(t.get("auc"), 4)).append(" | ")
                    .append(fmt(t.get("logloss"), 4)).append(" | ").append(fmt(t.get("accuracy"), 4)).append(" |\n");
        });
        md.append("\n## Entropy deciles of ").append(report.get("entropy_deciles_model"))
                .append(" (test)\n\n![entropy deciles](entropy_deciles.png)\n\n")
                .append("| decile | entropy | count | AUC | accuracy |\n|---|---|---|---|---|\n");
        for (Map<String, Object> d : (List<Map<String, Object>>) report.get("entropy_deciles")) {
            md.append("| ").append(d.get("decile")).append(" | ").append(fmt(d.get("entropy_lo"), 3)).append(" to ")
                    .append(fmt(d.get("entropy_hi"), 3)).append(" | ").append(d.get("count")).append(" | ")
                    .append(fmt(d.get("auc"), 4)).append(" | ").append(fmt(d.get("accuracy"), 4)).append(" |\n");
        }
        md.append("\n## Segments (test)\n\n| segment | count |");
        for (String name : models.keySet()) {
            md.append(" ").append(name).append(" AUC |");
        }
        md.append("\n|---|---|");
        models.keySet().forEach(n -> md.append("---|"));
        md.append("\n");
        Map<String, Object> segments = (Map<String, Object>) report.get("segments");
        segments.forEach((name, value) -> {
            Map<String, Object> seg = (Map<String, Object>) value;
            md.append("| ").append(name).append(" (").append(seg.get("definition")).append(") | ").append(seg.get("count")).append(" |");
            for (String model : models.keySet()) {
                md.append(" ").append(fmt(((Map<String, Object>) seg.get(model)).get("auc"), 4)).append(" |");
            }
            md.append("\n");
        });
        return md.toString();
    }

    static String fmt(Object value, int digits) {
        if (!(value instanceof Number)) {
            return String.valueOf(value);
        }
        double v = ((Number) value).doubleValue();
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }
}
