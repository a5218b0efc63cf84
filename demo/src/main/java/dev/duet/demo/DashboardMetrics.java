package dev.duet.demo;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the job's metrics the way the Flink dashboard does, through its REST API: the per-subtask
 * metrics of the job vertex that holds an operator. The values are those an operator sees on the
 * dashboard (the REST server's metric fetcher refreshes them every few seconds).
 */
final class DashboardMetrics {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param baseUrl e.g. {@code http://127.0.0.1:8081} */
    DashboardMetrics(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** The id of the vertex whose name holds {@code operatorName}, and its parallelism and max parallelism. */
    record Vertex(String id, String name, int parallelism, int maxParallelism) {}

    Vertex vertexOf(String jobId, String operatorName) throws IOException, InterruptedException {
        JsonNode job = get("/jobs/" + jobId);
        for (JsonNode v : job.path("vertices")) {
            if (v.path("name").asText().contains(operatorName)) {
                JsonNode plan = planNode(jobId, v.path("id").asText());
                int max = plan == null ? -1 : plan.path("maxParallelism").asInt(-1);
                return new Vertex(v.path("id").asText(), v.path("name").asText(), v.path("parallelism").asInt(), max);
            }
        }
        throw new IllegalStateException("no vertex of job " + jobId + " runs operator '" + operatorName + "'");
    }

    private JsonNode planNode(String jobId, String vertexId) throws IOException, InterruptedException {
        for (JsonNode n : get("/jobs/" + jobId + "/plan").path("plan").path("nodes")) {
            if (n.path("id").asText().equals(vertexId)) {
                return n;
            }
        }
        return null;
    }

    /**
     * The values of one subtask's metrics whose names end with one of {@code suffixes} (an
     * operator's metric is named {@code <operator>.<group>.<name>}); keyed by suffix. Metrics the
     * dashboard has not fetched yet are absent.
     */
    Map<String, Double> subtaskMetrics(String jobId, String vertexId, int subtask, List<String> suffixes)
            throws IOException, InterruptedException {
        String path = "/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/" + subtask + "/metrics";
        List<String> wanted = new ArrayList<>();
        Map<String, String> suffixOf = new HashMap<>();
        for (JsonNode m : get(path)) {
            String id = m.path("id").asText();
            for (String suffix : suffixes) {
                if (id.endsWith(suffix)) {
                    wanted.add(id);
                    suffixOf.put(id, suffix);
                }
            }
        }
        Map<String, Double> values = new HashMap<>();
        if (wanted.isEmpty()) {
            return values;
        }
        String query = URLEncoder.encode(String.join(",", wanted), StandardCharsets.UTF_8);
        for (JsonNode m : get(path + "?get=" + query)) {
            String value = m.path("value").asText();
            values.put(suffixOf.get(m.path("id").asText()), value.equals("NaN") ? Double.NaN : Double.parseDouble(value));
        }
        return values;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + baseUrl + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
