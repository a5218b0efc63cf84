package dev.duet.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.duet.trainer.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a finished demo's {@code demo-report.json}, {@code demo-report.md} and charts
 * ({@code latency_per_route.png}, {@code auc_per_route.png}) into the output folder.
 */
final class DemoReport {

    static final String JSON_FILE = "demo-report.json";
    static final String MARKDOWN_FILE = "demo-report.md";
    static final String LATENCY_CHART = "latency_per_route.png";
    static final String AUC_CHART = "auc_per_route.png";

    /** Upper edges (ms) of the latency histogram's buckets; the last bucket is open. */
    private static final long[] LATENCY_EDGES = {5, 10, 20, 50, 100, 200, 500, 1000, 2000};

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DemoReport() {}

    static void write(Path dir, DemoResult result) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(JSON_FILE), JSON.writeValueAsString(result.toMap()) + "\n");
        Files.writeString(dir.resolve(MARKDOWN_FILE), markdown(result));
        latencyChart(dir.resolve(LATENCY_CHART), result.stats());
        aucChart(dir.resolve(AUC_CHART), result.stats());
    }

    private static void latencyChart(Path file, LiveStats.Snapshot stats) throws IOException {
        List<String> buckets = new ArrayList<>();
        long lo = 0;
        for (long edge : LATENCY_EDGES) {
            buckets.add(lo + "-" + edge);
            lo = edge;
        }
        buckets.add(">" + lo);
        Map<String, List<Double>> series = new LinkedHashMap<>();
        stats.routes().forEach((route, figures) -> {
            if (figures.count() > 0) {
                series.put(route + " (" + figures.count() + ")", histogram(figures.latencies()));
            }
        });
        if (series.isEmpty()) {
            series.put("no output", histogram(new long[0]));
        }
        Charts.bars(file, "Job latency per route (ingest to output)", "latency, ms", "share of the route's records",
                buckets, series);
    }

    private static List<Double> histogram(long[] latencies) {
        double[] counts = new double[LATENCY_EDGES.length + 1];
        for (long l : latencies) {
            int b = 0;
            while (b < LATENCY_EDGES.length && l > LATENCY_EDGES[b]) {
                b++;
            }
            counts[b]++;
        }
        List<Double> shares = new ArrayList<>();
        for (double c : counts) {
            shares.add(latencies.length == 0 ? 0 : c / latencies.length);
        }
        return shares;
    }

    private static void aucChart(Path file, LiveStats.Snapshot stats) throws IOException {
        List<String> categories = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        categories.add("overall");
        values.add(orZero(stats.overall().auc()));
        stats.routes().forEach((route, figures) -> {
            categories.add(route + " (" + figures.labelled() + ")");
            values.add(orZero(figures.auc()));
        });
        Charts.bars(file, "Prequential AUC per route (interactions, label seen after scoring)", "route", "AUC",
                categories, Map.of("AUC", values));
    }

    private static double orZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    static String markdown(DemoResult r) {
        LiveStats.Snapshot s = r.stats();
        Ledger.Accounts a = r.accounts();
        StringBuilder md = new StringBuilder();
        md.append("# Duet demo report\n\n");
        md.append(r.ok() ? "Every input accounted for.\n\n" : "**Not every check passed:** " + String.join("; ", r.problems()) + "\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "data", r.dataDescription());
        row(md, "model", r.modelFile().toString());
        row(md, "LLM worker", r.llmDescription());
        row(md, "machine", String.valueOf(r.machine().get("description")));
        row(md, "inputs", String.format("%d interactions + %d requests + %d malformed = %d", r.plan().interactions(),
                r.plan().requests(), r.plan().bad(), r.plan().records().size()));
        row(md, "records out", String.valueOf(r.recordsOut()));
        row(md, "lost / duplicates", a.lost() + " / " + a.duplicates());
        row(md, "dead letters", r.deadLetters() + " (injected " + r.plan().bad() + ")");
        row(md, "routed to the LLM", String.format("%.2f %% (budget %.0f %%), fallbacks %d", 100 * s.routedShare(),
                100 * r.budgetShare(), s.routes().get("fallback").count()));
        row(md, "throughput", String.format("%.0f events/s (asked %.0f)", r.throughputEps(), r.rate()));
        md.append("\n## Per route\n\n| route | records | labelled | AUC | CRM alone, same samples | latency p50 ms | p99 ms |\n|---|---|---|---|---|---|---|\n");
        routeRow(md, "all", s.overall());
        s.routes().forEach((route, f) -> routeRow(md, route, f));
        RankingHits.Figures h = r.ranking();
        md.append("\n## Ranking quality (hit@").append(h.k()).append(")\n\n");
        md.append("For each interaction: was its item in the last top-").append(h.k())
                .append(" list sent to that user (event time)? Sequence model: ")
                .append(r.sequenceModelFile() == null ? "none (popularity retrieves)" : r.sequenceModelFile().toString())
                .append(".\n\n| list | interactions | hits | hit@").append(h.k()).append(" |\n|---|---|---|---|\n");
        h.sentBySource().forEach((source, hits) -> hitRow(md, "sent, candidates from " + source, hits));
        hitRow(md, "sequence model's own top k (same interactions)", h.sequenceRetrieved());
        hitRow(md, "popularity's top k, shadow (same interactions)", h.popularityShadow());
        md.append("\nInteractions of users without a list yet: ").append(h.untracked())
                .append(". Requests by where their candidates came from: ").append(h.requestsBySource()).append(".\n");
        dashboardSection(md, r.dashboardAgreement());
        if (!s.fallbackReasons().isEmpty()) {
            md.append("\n## Fallback reasons\n\n");
            s.fallbackReasons().forEach((reason, n) -> md.append("- ").append(reason).append(": ").append(n).append('\n'));
        }
        md.append("\n![latency](").append(LATENCY_CHART).append(")\n![auc](").append(AUC_CHART).append(")\n");
        return md.toString();
    }

    /** The dashboard's live gauges (Flink REST API) beside the same figures from the output topic. */
    private static void dashboardSection(StringBuilder md, DashboardAgreement.Result d) {
        md.append("\n## Dashboard live quality against the outputs\n\n");
        if (d == null) {
            md.append("Not read (the replay timed out).\n");
            return;
        }
        md.append(d.agrees() ? "The dashboard's `prequential.<route>.auc` and `.logLoss` equal the figures computed from the"
                + " output topic's labelled records of each subtask (within " + DashboardAgreement.TOLERANCE + ").\n\n"
                : "**The dashboard disagrees with the outputs** (" + (d.error() != null ? d.error() : "see the rows") + ").\n\n");
        md.append("| route | subtask | samples dashboard / outputs | AUC dashboard | AUC outputs | LogLoss dashboard | LogLoss outputs |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (DashboardAgreement.Row row : d.rows()) {
            md.append(String.format("| %s | %d | %.0f / %d | %s | %s | %s | %s |%n", row.route(), row.subtask(),
                    row.dashboardSamples(), row.outputSamples(), fmt(row.dashboardAuc()), fmt(row.outputAuc()),
                    fmt(row.dashboardLogLoss()), fmt(row.outputLogLoss())));
        }
    }

    private static void hitRow(StringBuilder md, String what, RankingHits.Hits h) {
        md.append(String.format("| %s | %d | %d | %s |%n", what, h.interactions(), h.hits(), fmt(h.rate())));
    }

    private static void row(StringBuilder md, String key, String value) {
        md.append("| ").append(key).append(" | ").append(value).append(" |\n");
    }

    private static void routeRow(StringBuilder md, String route, LiveStats.RouteFigures f) {
        md.append(String.format("| %s | %d | %d | %s | %s | %s | %s |%n", route, f.count(), f.labelled(), fmt(f.auc()),
                fmt(f.crmAuc()), fmt0(f.latencyQuantile(0.5)), fmt0(f.latencyQuantile(0.99))));
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.4f", v);
    }

    static String fmt0(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.0f", v);
    }
}
