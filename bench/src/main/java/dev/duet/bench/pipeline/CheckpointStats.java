package dev.duet.bench.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the checkpoints of one latency phase cost each task, from the job's REST API (the numbers
 * the dashboard's checkpoint tab shows). Per task (chain) and checkpoint the slowest subtask's
 * synchronous part (on the task thread: the operators' state snapshots, RocksDB's native checkpoint
 * among them; the operators' flushes before the barrier come before it and are not in it), its
 * asynchronous part, its barrier alignment, its start delay (the barrier's way through queued
 * buffers) and its whole time from trigger to acknowledgement; then the median and maximum of each
 * over the phase's completed checkpoints. It tells which part of a checkpoint second's latency
 * spike each task had.
 *
 * <p>The write-behind caches' flushes before the barrier come from the operators' own histograms
 * ({@code userStateFlushMicros}, {@code itemStateFlushMicros}, over the phase's whole job): per
 * task the largest subtask median and the largest maximum, in milliseconds.
 *
 * @param checkpoints completed checkpoints triggered in the measured window
 * @param endToEndMs each checkpoint's trigger to completion, median and maximum
 * @param tasks per task name: figures in milliseconds, each as [median, maximum]
 * @param preBarrierFlushMs per task name with a write-behind cache: [median, maximum] of its flush
 */
record CheckpointStats(int checkpoints, long[] endToEndMs, Map<String, Map<String, long[]>> tasks,
        Map<String, double[]> preBarrierFlushMs) {

    static final List<String> FIGURES = List.of("sync", "async", "alignment", "start_delay", "end_to_end");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the statistics of the job's completed checkpoints triggered at or after {@code fromMs}. */
    static CheckpointStats fetch(int restPort, String jobId, long fromMs) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + restPort + "/jobs/" + jobId;
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonNode v : get(http, base).path("vertices")) {
            names.put(v.path("id").asText(), v.path("name").asText());
        }
        List<Long> endToEnd = new ArrayList<>();
        Map<String, Map<String, List<Long>>> perTask = new LinkedHashMap<>();
        for (JsonNode c : get(http, base + "/checkpoints").path("history")) {
            if (!"COMPLETED".equals(c.path("status").asText()) || c.path("trigger_timestamp").asLong() < fromMs) {
                continue;
            }
            endToEnd.add(c.path("end_to_end_duration").asLong());
            String id = c.path("id").asText();
            for (Map.Entry<String, String> vertex : names.entrySet()) {
                JsonNode subtasks = get(http, base + "/checkpoints/details/" + id + "/subtasks/" + vertex.getKey()).path("subtasks");
                Map<String, List<Long>> figures = perTask.computeIfAbsent(vertex.getValue(), n -> new LinkedHashMap<>());
                long[] slowest = new long[FIGURES.size()];
                for (JsonNode s : subtasks) {
                    slowest[0] = Math.max(slowest[0], s.path("checkpoint").path("sync").asLong());
                    slowest[1] = Math.max(slowest[1], s.path("checkpoint").path("async").asLong());
                    slowest[2] = Math.max(slowest[2], s.path("alignment").path("duration").asLong());
                    slowest[3] = Math.max(slowest[3], s.path("start_delay").asLong());
                    slowest[4] = Math.max(slowest[4], s.path("end_to_end_duration").asLong());
                }
                for (int i = 0; i < FIGURES.size(); i++) {
                    figures.computeIfAbsent(FIGURES.get(i), f -> new ArrayList<>()).add(slowest[i]);
                }
            }
        }
        Map<String, Map<String, long[]>> tasks = new LinkedHashMap<>();
        perTask.forEach((task, figures) -> {
            Map<String, long[]> summary = new LinkedHashMap<>();
            figures.forEach((figure, values) -> summary.put(figure, medianAndMax(values)));
            tasks.put(task, summary);
        });
        Map<String, double[]> flushes = new LinkedHashMap<>();
        for (Map.Entry<String, String> vertex : names.entrySet()) {
            double[] flush = preBarrierFlush(http, base + "/vertices/" + vertex.getKey() + "/subtasks/metrics");
            if (flush != null) {
                flushes.put(vertex.getValue(), flush);
            }
        }
        return new CheckpointStats(endToEnd.size(), medianAndMax(endToEnd), tasks, flushes);
    }

    /**
     * The vertex's pre-barrier flush, [largest subtask median, largest maximum] in ms, or null when
     * none of its operators has a flush histogram. The dashboard's metric fetcher fills its store
     * asynchronously, so an empty list is asked again for up to 5 s.
     */
    private static double[] preBarrierFlush(HttpClient http, String url) throws IOException, InterruptedException {
        String median = null;
        String max = null;
        for (int attempt = 0; attempt < 10 && median == null; attempt++) {
            JsonNode ids = get(http, url);
            for (JsonNode id : ids) {
                String name = id.path("id").asText();
                if (name.endsWith("FlushMicros_median")) {
                    median = name;
                } else if (name.endsWith("FlushMicros_max")) {
                    max = name;
                }
            }
            if (median == null && ids.size() > 0) {
                return null;
            }
            if (median == null) {
                Thread.sleep(500);
            }
        }
        if (median == null || max == null) {
            return null;
        }
        // Operator metric names hold spaces ("user history.userStateFlushMicros_median").
        String query = URLEncoder.encode(median + "," + max, StandardCharsets.UTF_8).replace("+", "%20");
        JsonNode values = get(http, url + "?get=" + query);
        double[] flush = new double[2];
        for (JsonNode v : values) {
            flush[v.path("id").asText().equals(median) ? 0 : 1] = v.path("max").asDouble() / 1_000;
        }
        return flush;
    }

    private static JsonNode get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** [median, maximum] (nearest rank, as the latencies); [0, 0] for none. */
    static long[] medianAndMax(List<Long> values) {
        LatencyStats stats = LatencyStats.of(values.stream().mapToLong(Long::longValue).toArray());
        return stats.count() == 0 ? new long[] {0, 0} : new long[] {(long) stats.p50(), (long) stats.max()};
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checkpoints", checkpoints);
        m.put("end_to_end_ms_median_max", Arrays.stream(endToEndMs).boxed().toList());
        Map<String, Object> t = new LinkedHashMap<>();
        tasks.forEach((task, figures) -> {
            Map<String, Object> f = new LinkedHashMap<>();
            figures.forEach((figure, v) -> f.put(figure + "_ms_median_max", Arrays.stream(v).boxed().toList()));
            t.put(task, f);
        });
        m.put("slowest_subtask_per_task", t);
        Map<String, Object> f = new LinkedHashMap<>();
        preBarrierFlushMs.forEach((task, v) -> f.put(task, Arrays.stream(v).boxed().toList()));
        m.put("pre_barrier_flush_ms_median_max", f);
        return m;
    }
}
