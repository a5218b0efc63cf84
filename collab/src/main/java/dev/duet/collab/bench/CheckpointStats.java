package dev.duet.collab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * @param checkpoints completed checkpoints triggered in the measured window
 * @param endToEndMs each checkpoint's trigger to completion, median and maximum
 * @param tasks per task name: figures in milliseconds, each as [median, maximum]
 */
record CheckpointStats(int checkpoints, long[] endToEndMs, Map<String, Map<String, long[]>> tasks) {

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
        return new CheckpointStats(endToEnd.size(), medianAndMax(endToEnd), tasks);
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
        return m;
    }
}
