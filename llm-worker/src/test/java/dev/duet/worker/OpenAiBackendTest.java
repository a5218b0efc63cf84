package dev.duet.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import dev.duet.worker.internal.OpenAiBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The openai backend against a fake OpenAI-compatible server on 127.0.0.1. */
class OpenAiBackendTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private volatile String mode = "ok";
    private final AtomicInteger calls = new AtomicInteger();
    private volatile JsonNode lastBody;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/v1/completions", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Word-level "tokens" with fixed log-probabilities: " yes" -0.3, " no" -1.2, others -2. */
    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int call = calls.incrementAndGet();
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            lastBody = body;
            if (mode.equals("flaky") && call == 1) {
                send(exchange, 503, "{\"error\":\"warming up\"}");
                return;
            }
            if (mode.equals("slow")) {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ObjectNode reply = JSON.createObjectNode();
            ArrayNode choices = reply.putArray("choices");
            int index = 0;
            for (JsonNode p : body.get("prompt")) {
                ObjectNode choice = choices.addObject();
                choice.put("index", index++);
                String text = p.asText();
                choice.put("text", text + " The");
                if (mode.equals("nologprobs")) {
                    choice.putNull("logprobs");
                    continue;
                }
                ObjectNode lp = choice.putObject("logprobs");
                ArrayNode tokens = lp.putArray("tokens");
                ArrayNode values = lp.putArray("token_logprobs");
                ArrayNode offsets = lp.putArray("text_offset");
                int start = 0;
                for (int i = 1; i <= text.length(); i++) {
                    if (i == text.length() || text.charAt(i) == ' ') {
                        String token = text.substring(start, i);
                        tokens.add(token);
                        offsets.add(start);
                        if (start == 0) {
                            values.addNull();
                        } else {
                            values.add(token.equals(" yes") ? -0.3 : token.equals(" no") ? -1.2
                                    : -2.0);
                        }
                        start = i;
                    }
                }
                tokens.add(" The");
                offsets.add(text.length());
                values.add(-0.1);
            }
            send(exchange, 200, JSON.writeValueAsString(reply));
        }
    }

    private static void send(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private OpenAiBackend backend(Duration timeout, int retries) {
        return OpenAiBackend.builder().url(url()).model("tiny").timeout(timeout)
                .retries(retries).build();
    }

    @Test
    void scoresAnswersFromEchoedLogProbabilitiesInOneCall() throws Exception {
        OpenAiBackend backend = backend(Duration.ofSeconds(5), 0);
        ScoreRequest listwise = TestRequests.pointwise("l", 1, "Heat (1995)").toBuilder()
                .setTask(Task.TASK_LISTWISE)
                .addCandidates(TestRequests.candidate("Toy Story (1995)")).build();
        List<float[]> scores = backend.scoreBatch(List.of(
                TestRequests.pointwise("a", 2, "Babe (1995)"), listwise));
        assertThat(calls.get()).isEqualTo(1);
        assertThat(lastBody.get("echo").asBoolean()).isTrue();
        assertThat(lastBody.get("logprobs").asInt()).isEqualTo(1);
        assertThat(lastBody.get("prompt")).hasSize(4);
        assertThat(lastBody.get("prompt").get(0).asText())
                .startsWith("Below is the rating history of a user: Toy Story (1995) (rated 1);")
                .endsWith("Answer: yes");
        double expected = 1.0 / (1.0 + Math.exp(-1.2 - -0.3));
        assertThat((double) scores.get(0)[0]).isCloseTo(expected, offset(1e-6));
        // " Heat (1995)" is two word tokens, " Toy Story (1995)" three: -4 vs -6.
        assertThat(scores.get(1)).containsExactly(-4f, -6f);
    }

    @Test
    void missingLogProbabilitiesGiveAClearError() {
        mode = "nologprobs";
        OpenAiBackend backend = backend(Duration.ofSeconds(5), 0);
        assertThatThrownBy(() -> backend.scoreBatch(List.of(TestRequests.pointwise("a", 1, "Up"))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("returned no log-probabilities")
                .hasMessageContaining("echo=true");
    }

    @Test
    void serverErrorsAreRetried() throws Exception {
        mode = "flaky";
        OpenAiBackend backend = backend(Duration.ofSeconds(5), 2);
        float p = backend.scoreBatch(List.of(TestRequests.pointwise("a", 1, "Up"))).get(0)[0];
        assertThat(calls.get()).isEqualTo(2);
        assertThat(p).isGreaterThan(0.5f);
    }

    @Test
    void slowEndpointTimesOutWithinTheBound() {
        mode = "slow";
        OpenAiBackend backend = backend(Duration.ofMillis(300), 1);
        long start = System.nanoTime();
        assertThatThrownBy(() -> backend.scoreBatch(List.of(TestRequests.pointwise("a", 1, "Up"))))
                .hasMessageContaining("did not answer within 300 ms")
                .hasMessageContaining("after 2 attempts");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void badUrlIsRejectedAtBuild() {
        assertThatThrownBy(() -> OpenAiBackend.builder().url("127.0.0.1:8000").build())
                .hasMessageContaining("--openai-url");
    }
}
