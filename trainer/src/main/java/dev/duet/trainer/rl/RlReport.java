package dev.duet.trainer.rl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Writes an RL run's {@code report.json}, {@code report.md} (each variant in a sentence, test and
 * validation tables, mean +- std over the training seeds) and {@code ndcg10.png} (test NDCG@10 per
 * model with the seeds' spread as error bars).
 */
public final class RlReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String[] METRICS = {"hr@5", "hr@10", "hr@20", "ndcg@5", "ndcg@10", "ndcg@20", "hr@1"};

    /** What each report key means, one sentence each (report.md and docs/rl.md). */
    static final Map<String, String> EXPLAINED = new LinkedHashMap<>();

    static {
        EXPLAINED.put("sasrec", "the supervised SASRec alone (cross-entropy on the next item at every position), trained by the same loop with the same seeds: the baseline.");
        EXPLAINED.put("snqn", "SNQN: the SASRec encoder shared by the supervised head and a Q head trained with one-step double Q-learning (gamma 0.5, target network) on the logged transitions and on sampled negative actions with reward 0.");
        EXPLAINED.put("sa2c", "SA2C: SNQN's heads, then the Q head as critic: the supervised head's loss on the logged action is additionally weighted by its advantage over the sampled actions, times a clipped, normalised off-policy weight pi/beta (beta from a behaviour head).");
        EXPLAINED.put("_env", "with the environment: the Q head also sees the state model's state, and every reward (logged and sampled actions) is the reward model's sigmoid score instead of the flat logged reward.");
        EXPLAINED.put("_lea", "with LEA: for a share of the training transitions the environment's best positive action (reward model's best of the 20 items most similar to the state, not in the history) is added as an extra transition for both heads.");
    }

    private RlReport() {}

    public static void write(Path dir, Map<String, Object> report) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("report.json").toFile(), report);
        chart(dir.resolve("ndcg10.png"), report);
        Files.writeString(dir.resolve("report.md"), markdown(report));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Map<String, Map<String, Object>>>> models(Map<String, Object> report) {
        return (Map<String, Map<String, Map<String, Map<String, Object>>>>) report.get("rl");
    }

    private static void chart(Path file, Map<String, Object> report) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> names = new ArrayList<>();
        List<Double> means = new ArrayList<>();
        List<Double> stds = new ArrayList<>();
        models(report).forEach((name, entry) -> {
            Map<String, Object> ndcg = entry.get("test").get("ndcg@10");
            names.add(name);
            means.add(((Number) ndcg.get("mean")).doubleValue());
            stds.add(((Number) ndcg.get("std")).doubleValue());
        });
        CategoryChart chart = new CategoryChartBuilder().width(900).height(540)
                .title("Test NDCG@10 over the catalog, mean +- std over training seeds (" + report.get("dataset") + ")")
                .xAxisTitle("model").yAxisTitle("NDCG@10").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setErrorBarsColorSeriesColor(false);
        chart.addSeries("test NDCG@10", names, means, stds);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** The sentence explaining a report key such as {@code snqn_env_lea}. */
    static String explain(String key) {
        if (key.equals("sasrec")) {
            return EXPLAINED.get("sasrec");
        }
        String base = key.split("_")[0];
        StringBuilder sb = new StringBuilder(EXPLAINED.getOrDefault(base, base));
        if (key.contains("_env")) {
            sb.append(" Then, ").append(EXPLAINED.get("_env"));
        }
        if (key.contains("_lea")) {
            sb.append(" And ").append(EXPLAINED.get("_lea"));
        }
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> report) {
        StringBuilder md = new StringBuilder("# Duet RL recommender training report\n\n");
        Map<String, Object> cases = (Map<String, Object>) report.get("cases");
        md.append("Data set `").append(report.get("dataset")).append("`; cases train / valid / test: ").append(cases.get("train"))
                .append(" / ").append(cases.get("valid")).append(" / ").append(cases.get("test")).append("; ").append(report.get("items"))
                .append(" items. Split: ").append(report.get("split")).append(".\n\n");
        md.append("Rewards: ").append(report.get("rewards")).append(". RL weight ").append(report.get("rl_weight"))
                .append(" (validation NDCG@10 by weight: ").append(report.get("rl_weight_choice")).append(").\n")
                .append("Training seeds ").append(report.get("training_seeds")).append("; HR@1 on ").append(report.get("candidates"))
                .append(" candidates (mean over candidate seeds ").append(report.get("candidate_seeds"))
                .append("); HR@k and NDCG@k ranked over the whole catalog. Mean train seconds of the variant (environment included): ")
                .append(fmt(report.get("train_seconds"), 1)).append(".\n\n");
        md.append("## Models\n\n");
        models(report).keySet().forEach(k -> md.append("- `").append(k).append("`: ").append(explain(k)).append('\n'));
        if (report.containsKey("environment")) {
            Map<String, Object> env = (Map<String, Object>) report.get("environment");
            md.append("\nThe environment is ").append(env.get("what")).append(". State model: ").append(env.get("state_model"))
                    .append(".\nReward model: ").append(env.get("reward_model")).append(".\n");
        }
        for (String split : new String[] {"test", "valid"}) {
            md.append("\n## ").append(split).append(" (mean +- std over training seeds)\n\n| model |");
            for (String m : METRICS) {
                md.append(' ').append(m.equals("hr@1") ? "HR@1 (20 cand.)" : m.toUpperCase(Locale.ROOT).replace("NDCG", "NDCG")).append(" |");
            }
            md.append("\n|---|");
            md.append("---|".repeat(METRICS.length)).append('\n');
            models(report).forEach((name, entry) -> {
                md.append("| ").append(name).append(" |");
                for (String m : METRICS) {
                    Map<String, Object> v = entry.get(split).get(m);
                    md.append(' ').append(fmt(v.get("mean"), 4)).append(" +- ").append(fmt(v.get("std"), 4)).append(" |");
                }
                md.append('\n');
            });
        }
        md.append("\n![test NDCG@10](ndcg10.png)\n");
        return md.toString();
    }

    static String fmt(Object value, int digits) {
        if (!(value instanceof Number n)) {
            return String.valueOf(value);
        }
        return String.format(Locale.ROOT, "%." + digits + "f", n.doubleValue());
    }
}
