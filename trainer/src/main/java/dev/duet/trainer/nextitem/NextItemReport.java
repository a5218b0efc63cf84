package dev.duet.trainer.nextitem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.duet.trainer.report.Charts;
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
 * Writes a next-item run's {@code report.json}, {@code report.md} (the figures beside LLaRA's
 * published table, PROTOCOL.md section 2), {@code hr1.png} (test HR@1 per model with the spread
 * over the candidate seeds) and {@code sasrec_epochs.png} (SASRec's validation curve).
 */
public final class NextItemReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** LLaRA Table 2, HR@1 (MovieLens-100K, LastFM), and the plain PyTorch SASRec anchor. */
    private static final String[][] PUBLISHED = {
        {"GRU4Rec (LLaRA Table 2)", "0.3750", "0.2616"},
        {"Caser (LLaRA Table 2)", "0.3861", "0.2233"},
        {"SASRec (LLaRA Table 2)", "0.3444", "0.2233"},
        {"TALLRec, LLM text only (LLaRA Table 2)", "0.3895", "0.4180"},
        {"LLaRA, hybrid prompt (LLaRA Table 2)", "0.4421", "0.4508"},
        {"LLaRA, repository after fixes", "0.4526", "0.5246"},
        {"plain PyTorch SASRec, dim 64, 2 blocks, 14 epochs (PROTOCOL.md)", "", "0.361 +- 0.019"},
    };

    private NextItemReport() {}

    public static void write(Path dir, Map<String, Object> report) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("report.json").toFile(), report);
        hr1Chart(dir.resolve("hr1.png"), report);
        epochChart(dir.resolve("sasrec_epochs.png"), report);
        Files.writeString(dir.resolve("report.md"), markdown(report));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Map<String, Object>>> models(Map<String, Object> report) {
        return (Map<String, Map<String, Map<String, Object>>>) ((Map<String, Object>) report.get("next_item")).get("models");
    }

    @SuppressWarnings("unchecked")
    private static double hr1(Map<String, Object> split, String key) {
        return ((Number) ((Map<String, Object>) split.get("hr@1")).get(key)).doubleValue();
    }

    private static void hr1Chart(Path file, Map<String, Object> report) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> names = new ArrayList<>();
        List<Double> means = new ArrayList<>();
        List<Double> stds = new ArrayList<>();
        models(report).forEach((name, entry) -> {
            names.add(name);
            means.add(hr1(entry.get("test"), "mean"));
            stds.add(hr1(entry.get("test"), "std"));
        });
        CategoryChart chart = new CategoryChartBuilder().width(900).height(540)
                .title("Test HR@1 of 20 candidates, mean +- std over candidate seeds (" + report.get("dataset") + ")")
                .xAxisTitle("model").yAxisTitle("HR@1").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setErrorBarsColorSeriesColor(false);
        chart.addSeries("test HR@1", names, means, stds);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    @SuppressWarnings("unchecked")
    private static void epochChart(Path file, Map<String, Object> report) throws IOException {
        List<Map<String, Object>> epochs = (List<Map<String, Object>>) ((Map<String, Object>) report.get("sasrec")).get("epochs");
        double[] x = new double[epochs.size()];
        double[] hr = new double[x.length];
        double[] ndcg = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = ((Number) epochs.get(i).get("epoch")).doubleValue();
            hr[i] = ((Number) epochs.get(i).get("valid_hr@1")).doubleValue();
            ndcg[i] = ((Number) epochs.get(i).get("valid_ndcg@10")).doubleValue();
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("valid HR@1 (mean over seeds)", hr);
        series.put("valid NDCG@10 (catalog)", ndcg);
        Charts.lines(file, "SASRec validation per epoch (" + report.get("dataset") + ")", "epoch", "metric", x, series);
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> report) {
        StringBuilder md = new StringBuilder("# Duet next-item training report\n\n");
        Map<String, Object> cases = (Map<String, Object>) report.get("cases");
        Map<String, Object> nextItem = (Map<String, Object>) report.get("next_item");
        Map<String, Object> sasrec = (Map<String, Object>) report.get("sasrec");
        Map<String, Object> machine = (Map<String, Object>) report.get("machine");
        md.append("Data set: `").append(report.get("dataset")).append("`; cases train / valid / test: ")
                .append(cases.get("train")).append(" / ").append(cases.get("valid")).append(" / ").append(cases.get("test"))
                .append("; ").append(report.get("items")).append(" items in the training split.\n")
                .append("Split: ").append(report.get("split")).append(".\n")
                .append("Candidates: ").append(nextItem.get("candidate_rule")).append("; seeds ").append(nextItem.get("seeds")).append(".\n")
                .append("SASRec: ").append(sasrec.get("config")).append("; best validation epoch ").append(sasrec.get("best_epoch"))
                .append(" of ").append(sasrec.get("epochs_run")).append(", trained in ").append(fmt(report.get("train_seconds"), 1))
                .append(" s on ").append(machine.get("description")).append(".\n");
        Map<String, Object> gru = (Map<String, Object>) report.get("gru4rec");
        if (gru != null) {
            md.append("GRU4Rec (the same settings, one GRU layer): best validation epoch ").append(gru.get("best_epoch"))
                    .append(" of ").append(gru.get("epochs_run")).append(", trained in ")
                    .append(fmt(((Map<String, Object>) report.get("seconds")).get("gru4rec"), 1)).append(" s.\n");
        }
        md.append("\n");
        for (String split : new String[] {"test", "valid"}) {
            md.append("## ").append(split).append("\n\n| model | HR@1 (20 candidates) | HR@10 (catalog) | NDCG@10 (catalog) |\n|---|---|---|---|\n");
            models(report).forEach((name, entry) -> {
                Map<String, Object> s = entry.get(split);
                md.append("| ").append(name).append(" | ").append(fmt(hr1(s, "mean"), 4)).append(" +- ").append(fmt(hr1(s, "std"), 4))
                        .append(" | ").append(fmt(s.get("hr@10"), 4)).append(" | ").append(fmt(s.get("ndcg@10"), 4)).append(" |\n");
            });
            md.append("\n");
        }
        md.append("![test HR@1](hr1.png)\n\n![SASRec validation per epoch](sasrec_epochs.png)\n\n");
        md.append("## Beside the published figures (HR@1, test)\n\n")
                .append("LLaRA's numbers are its paper's (PROTOCOL.md section 2); the rows marked Duet are this run's.\n\n")
                .append("| model | MovieLens-100K | LastFM |\n|---|---|---|\n");
        for (String[] row : PUBLISHED) {
            md.append("| ").append(row[0]).append(" | ").append(row[1]).append(" | ").append(row[2]).append(" |\n");
        }
        boolean lastfm = String.valueOf(report.get("dataset")).toLowerCase(Locale.ROOT).contains("lastfm");
        boolean movielens = String.valueOf(report.get("dataset")).toLowerCase(Locale.ROOT).contains("100k");
        models(report).forEach((name, entry) -> {
            String value = fmt(hr1(entry.get("test"), "mean"), 4) + " +- " + fmt(hr1(entry.get("test"), "std"), 4);
            md.append("| Duet ").append(name).append(" (").append(report.get("dataset")).append(") | ")
                    .append(movielens ? value : lastfm ? "" : "(other data: " + value + ")").append(" | ")
                    .append(lastfm ? value : "").append(" |\n");
        });
        if (!NextItemData.GIVEN_SPLIT.equals(report.get("split"))) {
            md.append("\nThese cases were built by this project's rule (the split above), not by LLaRA's own"
                    + " preprocessing: compare the models of this run with each other, the published figures only with care.\n");
        }
        md.append("\nHR@1 is the share of cases whose true item is the top-scored of the 20 candidates (ties share the credit);"
                + " the spread is the sample standard deviation over the candidate-sampling seeds.\n");
        return md.toString();
    }

    static String fmt(Object value, int digits) {
        if (!(value instanceof Number n)) {
            return String.valueOf(value);
        }
        double v = n.doubleValue();
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }
}
