package dev.duet.jobjar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The calls a user makes to a session cluster's REST API to run a job jar (Flink's documented
 * endpoints, nothing from Flink's client library): upload, run, inspect, stop with a savepoint.
 * Every call has a timeout; a status other than 200 (202 for triggers) fails with the answer.
 */
final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRest(String base) {
        this.base = base;
    }

    /** POST /jars/upload (multipart, field {@code jarfile}); returns the jar's id. */
    String uploadJar(Path jar) throws Exception {
        String boundary = "duet-" + UUID.randomUUID();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8),
                        HttpRequest.BodyPublishers.ofFile(jar),
                        HttpRequest.BodyPublishers.ofString(tail, StandardCharsets.UTF_8)))
                .build();
        JsonNode answer = send(request, 200);
        if (!"success".equals(answer.path("status").asText())) {
            throw new IllegalStateException("upload of " + jar + " failed: " + answer);
        }
        String file = answer.get("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /**
     * POST /jars/{id}/run: runs the jar's main class with {@code args}; {@code parallelism} (as
     * {@code flink run -p}) and {@code savepointPath} (as {@code flink run -s}) may be null.
     * Returns the job id.
     */
    String run(String jarId, List<String> args, Integer parallelism, String savepointPath) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.putPOJO("programArgsList", args);
        if (parallelism != null) {
            body.put("parallelism", parallelism);
        }
        if (savepointPath != null) {
            body.put("savepointPath", savepointPath);
            body.put("allowNonRestoredState", false);
        }
        JsonNode answer = post("/jars/" + jarId + "/run", body, 200, Duration.ofMinutes(2));
        return answer.get("jobid").asText();
    }

    JsonNode get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build(), 200);
    }

    /** Waits until the job and every one of its vertices is RUNNING; fails if it ends first. */
    JsonNode awaitRunning(String jobId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode job = get("/jobs/" + jobId);
        while (System.nanoTime() < deadline) {
            job = get("/jobs/" + jobId);
            String state = job.path("state").asText();
            if (List.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
                throw new IllegalStateException("job " + jobId + " is " + state + " instead of running: " + exceptions(jobId));
            }
            boolean allRunning = state.equals("RUNNING") && job.path("vertices").size() > 0;
            for (JsonNode v : job.path("vertices")) {
                allRunning &= v.path("status").asText().equals("RUNNING");
            }
            if (allRunning) {
                return job;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("job " + jobId + " not running within " + timeout + ": " + job);
    }

    /** Waits for a completed checkpoint and returns its external path. */
    String awaitCompletedCheckpoint(String jobId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode completed = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
            if (completed.hasNonNull("external_path")) {
                return completed.get("external_path").asText();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no checkpoint of job " + jobId + " completed within " + timeout);
    }

    /**
     * POST /jobs/{id}/stop with a target directory (as {@code flink stop --savepointPath}), then
     * polls the trigger until the savepoint is written and the job has finished; returns the
     * savepoint's path.
     */
    String stopWithSavepoint(String jobId, Path targetDirectory, Duration timeout) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", targetDirectory.toUri().toString());
        body.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", body, 202, Duration.ofSeconds(30)).get("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                if (operation.hasNonNull("failure-cause")) {
                    throw new IllegalStateException("stop with savepoint failed: " + operation.get("failure-cause"));
                }
                String location = operation.get("location").asText();
                awaitState(jobId, "FINISHED", Duration.ofSeconds(60));
                return location;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("savepoint of job " + jobId + " not done within " + timeout + ": " + status);
    }

    void awaitState(String jobId, String expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            state = get("/jobs/" + jobId).path("state").asText();
            if (state.equals(expected)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("job " + jobId + " is " + state + ", not " + expected + ", after " + timeout);
    }

    /** PATCH /jobs/{id}?mode=cancel, for clean-up; errors are ignored. */
    void cancelQuietly(String jobId) {
        try {
            http.send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                    .timeout(Duration.ofSeconds(10)).method("PATCH", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            // the cluster is killed next anyway
        }
    }

    /** The job's root exception as the dashboard shows it, for failure messages. */
    String exceptions(String jobId) {
        try {
            return get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").toString();
        } catch (Exception e) {
            return "(exceptions unavailable: " + e + ")";
        }
    }

    private JsonNode post(String path, JsonNode body, int expectedStatus, Duration timeout) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), expectedStatus);
    }

    private JsonNode send(HttpRequest request, int expectedStatus) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expectedStatus) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " answered " + response.statusCode()
                    + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
