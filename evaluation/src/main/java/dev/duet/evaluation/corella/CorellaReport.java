package dev.duet.evaluation.corella;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.duet.evaluation.calibration.Calibration;
import dev.duet.trainer.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** train-llm's report: per variant, the mean and spread over seeds; report.json, report.md, a chart. */
final class CorellaReport {

    /** The targets (docs/collaboration.md): collaboration at <= 20 % routed, routed part. */
    static final double TARGET_COLLABORATION_GAIN = 0.007;
    static final double TARGET_ROUTED_GAIN = 0.02;

    private CorellaReport() {}

    /** Mean and sample standard deviation over seeds, per variant and split, of the key figures. */
    static Map<String, Object> summary(List<Map<String, Object>> runs) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> variants = runs.stream().map(r -> (String) r.get("variant")).distinct().toList();
        for (String variant : variants) {
            List<Map<String, Object>> mine = runs.stream().filter(r -> variant.equals(r.get("variant"))).toList();
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("seeds", mine.size());
            v.put("train_seconds", stat(mine, r -> ((Number) r.get("train_seconds")).doubleValue()));
            for (String split : List.of("valid", "test")) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("crm_auc", stat(mine, r -> auc(split(r, split).get("crm"))));
                s.put("scorer_auc", stat(mine, r -> auc(split(r, split).get("scorer"))));
                s.put("scorer_logloss", stat(mine, r -> number(split(r, split).get("scorer"), "logloss")));
                List<Map<String, Object>> budgets = new ArrayList<>();
                for (int b = 0; b < Calibration.BUDGETS.length; b++) {
                    int at = b;
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("budget", Calibration.BUDGETS[b]);
                    row.put("routed_share", stat(mine, r -> number(budget(r, split, at), "routed_share")));
                    row.put("collaboration_auc", stat(mine, r -> auc(budget(r, split, at).get("overall"))));
                    row.put("collaboration_logloss", stat(mine, r -> number(budget(r, split, at).get("overall"), "logloss")));
                    row.put("gain_over_crm", stat(mine, r -> auc(budget(r, split, at).get("overall"))
                            - auc(split(r, split).get("crm"))));
                    row.put("routed_crm_auc", stat(mine, r -> auc(budget(r, split, at).get("routed_crm"))));
                    row.put("routed_scorer_auc", stat(mine, r -> auc(budget(r, split, at).get("routed_scorer"))));
                    row.put("routed_gain", stat(mine, r -> auc(budget(r, split, at).get("routed_scorer"))
                            - auc(budget(r, split, at).get("routed_crm"))));
                    row.put("routed_scorer_mean_prediction", stat(mine,
                            r -> number(budget(r, split, at).get("routed_scorer"), "mean_prediction")));
                    row.put("routed_positive_rate", stat(mine,
                            r -> number(budget(r, split, at).get("routed_scorer"), "positive_rate")));
                    budgets.add(row);
                }
                s.put("budgets", budgets);
                v.put(split, s);
            }
            out.put(variant, v);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> split(Map<String, Object> run, String split) {
        return (Map<String, Object>) run.get(split);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> budget(Map<String, Object> run, String split, int at) {
        return ((List<Map<String, Object>>) split(run, split).get("budgets")).get(at);
    }

    private static double auc(Object q) {
        return number(q, "auc");
    }

    private static double number(Object q, String key) {
        return ((Number) ((Map<?, ?>) q).get(key)).doubleValue();
    }

    private static Map<String, Object> stat(List<Map<String, Object>> runs, Function<Map<String, Object>, Double> f) {
        double[] v = runs.stream().mapToDouble(f::apply).toArray();
        double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
        double var = 0;
        for (double x : v) {
            var += (x - mean) * (x - mean);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", mean);
        m.put("sd", v.length > 1 ? Math.sqrt(var / (v.length - 1)) : 0.0);
        m.put("min", java.util.Arrays.stream(v).min().orElse(Double.NaN));
        m.put("max", java.util.Arrays.stream(v).max().orElse(Double.NaN));
        return m;
    }

    static void write(Path dir, Map<String, Object> report) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), report);
        Files.writeString(dir.resolve("report.md"), markdown(report));
        chart(dir.resolve("collaboration.png"), report);
    }

    @SuppressWarnings("unchecked")
    private static void chart(Path file, Map<String, Object> report) throws IOException {
        Map<String, Object> summary = (Map<String, Object>) report.get("summary");
        double[] x = java.util.Arrays.stream(Calibration.BUDGETS).map(b -> 100 * b).toArray();
        Map<String, double[]> series = new LinkedHashMap<>();
        double crm = Double.NaN;
        for (Map.Entry<String, Object> e : summary.entrySet()) {
            Map<String, Object> test = (Map<String, Object>) ((Map<String, Object>) e.getValue()).get("test");
            List<Map<String, Object>> budgets = (List<Map<String, Object>>) test.get("budgets");
            series.put(e.getKey(), budgets.stream().mapToDouble(b -> mean(b.get("collaboration_auc"))).toArray());
            crm = mean(test.get("crm_auc"));
        }
        double[] flat = new double[x.length];
        java.util.Arrays.fill(flat, crm);
        series.put("CRM alone", flat);
        double[] target = flat.clone();
        for (int i = 0; i < target.length; i++) {
            target[i] += TARGET_COLLABORATION_GAIN;
        }
        series.put("CRM + 0.007 (target)", target);
        Charts.lines(file, "Trained scorer + CRM on test (" + report.get("dataset") + "), mean over seeds",
                "routing budget (% of samples routed by CRM entropy)", "AUC", x, series);
    }

    static double mean(Object stat) {
        return ((Number) ((Map<?, ?>) stat).get("mean")).doubleValue();
    }

    static String pm(Object stat) {
        Map<?, ?> s = (Map<?, ?>) stat;
        return String.format(Locale.ROOT, "%.4f ± %.4f", ((Number) s.get("mean")).doubleValue(),
                ((Number) s.get("sd")).doubleValue());
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> report) {
        StringBuilder md = new StringBuilder();
        Map<String, Object> summary = (Map<String, Object>) report.get("summary");
        md.append("# Duet trained scorer (CoReLLa stage 2) report\n\n");
        md.append("Data: ").append(report.get("dataset")).append(", samples ").append(report.get("samples"))
                .append("; CRM ").append(report.get("crm")).append(".\n\n");
        md.append("Frozen encoder kept on validation: **").append(report.get("encoder")).append("** (")
                .append(report.get("encoder_choice")).append(").\n\n");
        md.append("Base configuration: `").append(report.get("base_config")).append("`. Exported: ")
                .append(report.get("exported")).append(".\n\n");
        md.append("Routing: CRM entropy, thresholds = validation quantiles ").append(report.get("thresholds"))
                .append(" for budgets ").append(report.get("budgets"))
                .append("; at most budget × n routed. Mean ± standard deviation over seeds.\n\n");
        for (String split : List.of("test", "valid")) {
            md.append("## ").append(split.equals("test") ? "Test (all samples)" : "Validation").append("\n\n");
            md.append("| variant | seeds | CRM AUC | scorer AUC | budget | routed | collaboration AUC | gain over CRM |"
                    + " routed: CRM AUC | routed: scorer AUC | routed gain | routed mean prediction / positive rate |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (Map.Entry<String, Object> e : summary.entrySet()) {
                Map<String, Object> v = (Map<String, Object>) e.getValue();
                Map<String, Object> s = (Map<String, Object>) v.get(split);
                for (Map<String, Object> b : (List<Map<String, Object>>) s.get("budgets")) {
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.0f %% | %.1f %% | %s | %+.4f ± %.4f | %s | %s | %+.4f ± %.4f | %.3f / %.3f |%n",
                            e.getKey(), v.get("seeds"), pm(s.get("crm_auc")), pm(s.get("scorer_auc")),
                            100 * ((Number) b.get("budget")).doubleValue(), 100 * mean(b.get("routed_share")),
                            pm(b.get("collaboration_auc")), mean(b.get("gain_over_crm")),
                            ((Number) ((Map<?, ?>) b.get("gain_over_crm")).get("sd")).doubleValue(),
                            pm(b.get("routed_crm_auc")), pm(b.get("routed_scorer_auc")), mean(b.get("routed_gain")),
                            ((Number) ((Map<?, ?>) b.get("routed_gain")).get("sd")).doubleValue(),
                            mean(b.get("routed_scorer_mean_prediction")), mean(b.get("routed_positive_rate"))));
                }
            }
            md.append('\n');
        }
        Map<String, Object> full = (Map<String, Object>) summary.get("full");
        if (full != null) {
            Map<String, Object> test = (Map<String, Object>) full.get("test");
            double bestGain = Double.NEGATIVE_INFINITY;
            double routedGainAtBest = Double.NaN;
            double budgetAtBest = Double.NaN;
            for (Map<String, Object> b : (List<Map<String, Object>>) test.get("budgets")) {
                double share = ((Number) b.get("budget")).doubleValue();
                if (share <= 0.20 + 1e-9 && mean(b.get("gain_over_crm")) > bestGain) {
                    bestGain = mean(b.get("gain_over_crm"));
                    routedGainAtBest = mean(b.get("routed_gain"));
                    budgetAtBest = share;
                }
            }
            md.append("## Targets (full variant, test, mean over seeds)\n\n");
            md.append(String.format(Locale.ROOT, "- Collaboration at <= 20 %% routed: best gain %+.4f AUC over the CRM"
                    + " (at %.0f %%); target +%.3f: %s.%n", bestGain, 100 * budgetAtBest, TARGET_COLLABORATION_GAIN,
                    bestGain >= TARGET_COLLABORATION_GAIN ? "met" : String.format(Locale.ROOT, "missed by %.4f",
                            TARGET_COLLABORATION_GAIN - bestGain)));
            md.append(String.format(Locale.ROOT, "- On the routed samples there: scorer AUC %+.4f over the CRM's;"
                    + " target +%.2f: %s.%n", routedGainAtBest, TARGET_ROUTED_GAIN,
                    routedGainAtBest >= TARGET_ROUTED_GAIN ? "met" : String.format(Locale.ROOT, "missed by %.4f",
                            TARGET_ROUTED_GAIN - routedGainAtBest)));
            md.append(String.format(Locale.ROOT, "- Training time per scorer: %s s (mean over seeds); whole run %.0f s.%n",
                    pm(full.get("train_seconds")), ((Number) report.get("seconds")).doubleValue()));
        }
        md.append("\nPer-run figures, epochs and blends are in report.json; machine: ").append(report.get("machine"))
                .append(".\n");
        return md.toString();
    }
}
