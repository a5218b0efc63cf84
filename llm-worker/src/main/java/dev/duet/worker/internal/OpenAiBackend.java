package dev.duet.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import dev.duet.worker.RequestLimits;
import dev.duet.worker.ScoringBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scores through any OpenAI-compatible {@code /v1/completions} endpoint (vLLM, llama.cpp server)
 * with {@code echo} and {@code logprobs}: the server returns the log-probability of every prompt
 * token, so the answer strings are scored exactly as the local causal-LM backend scores them
 * (total log-likelihood of all answer tokens). One HTTP call per batch.
 */
public final class OpenAiBackend implements ScoringBackend {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final Duration timeout;
    private final int retries;
    private final int maxTokens;
    private final HttpClient http;
    private final PromptTemplate pointwise;
    private final PromptTemplate listwise;
    private final String positiveAnswer;
    private final String negativeAnswer;
    private final ItemText itemText;
    private final int maxHistory;

    private OpenAiBackend(Builder b) {
        String base = b.url.endsWith("/") ? b.url.substring(0, b.url.length() - 1) : b.url;
        this.endpoint = URI.create(base.endsWith("/v1/completions") ? base
                : base + "/v1/completions");
        this.model = b.model;
        this.apiKey = b.apiKey;
        this.timeout = b.timeout;
        this.retries = b.retries;
        this.maxTokens = b.maxTokens;
        this.http = HttpClient.newBuilder().connectTimeout(b.timeout).build();
        this.pointwise = new PromptTemplate(b.pointwiseTemplate);
        this.listwise = new PromptTemplate(b.listwiseTemplate);
        this.positiveAnswer = b.positiveAnswer;
        this.negativeAnswer = b.negativeAnswer;
        this.itemText = new ItemText(b.limits);
        this.maxHistory = b.limits.maxHistoryItems();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String modelName() {
        return "openai:" + model;
    }

    @Override
    public String modelVersion() {
        return endpoint.getHost() + ":" + endpoint.getPort();
    }

    /** A prompt and the continuation whose log-likelihood is wanted. */
    private record Scored(String prompt, String answer) {}

    @Override
    public List<float[]> scoreBatch(List<ScoreRequest> requests) throws Exception {
        List<Scored> rows = new ArrayList<>();
        for (ScoreRequest r : requests) {
            String history = history(r);
            if (r.getTask() == Task.TASK_POINTWISE) {
                for (Candidate c : r.getCandidatesList()) {
                    String prompt = pointwise.fill(Map.of("history", Prompt.of(history),
                            "target", Prompt.of(itemText.full(c)),
                            "candidates", Prompt.of(itemText.full(c)))).text();
                    rows.add(new Scored(prompt, positiveAnswer));
                    rows.add(new Scored(prompt, negativeAnswer));
                }
            } else {
                List<String> titles = new ArrayList<>();
                r.getCandidatesList().forEach(c -> titles.add(itemText.title(c)));
                String prompt = listwise.fill(Map.of("history", Prompt.of(history),
                        "candidates", Prompt.of(String.join("; ", titles)),
                        "target", Prompt.of(""))).text();
                titles.forEach(t -> rows.add(new Scored(prompt, " " + t)));
            }
        }
        double[] ll = logLikelihoods(rows);
        List<float[]> out = new ArrayList<>();
        int k = 0;
        for (ScoreRequest r : requests) {
            float[] scores = new float[r.getCandidatesCount()];
            for (int c = 0; c < scores.length; c++) {
                if (r.getTask() == Task.TASK_POINTWISE) {
                    double yes = ll[k++];
                    double no = ll[k++];
                    scores[c] = (float) (1.0 / (1.0 + Math.exp(no - yes)));
                } else {
                    scores[c] = (float) ll[k++];
                }
            }
            out.add(scores);
        }
        return out;
    }

    private String history(ScoreRequest r) {
        return PointwisePrompts.history(r, itemText, maxHistory);
    }

    private double[] logLikelihoods(List<Scored> rows) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        ArrayNode prompts = body.putArray("prompt");
        rows.forEach(r -> prompts.add(r.prompt + r.answer));
        body.put("max_tokens", maxTokens);
        body.put("echo", true);
        body.put("logprobs", 1);
        body.put("temperature", 0);
        JsonNode reply = post(JSON.writeValueAsString(body));
        JsonNode choices = reply.path("choices");
        if (!choices.isArray() || choices.size() != rows.size()) {
            throw new IOException("Endpoint " + endpoint + " returned " + choices.size()
                    + " choices for " + rows.size() + " prompts");
        }
        double[] out = new double[rows.size()];
        for (JsonNode choice : choices) {
            int index = choice.path("index").asInt(-1);
            if (index < 0 || index >= rows.size()) {
                throw new IOException("Endpoint " + endpoint + " returned a choice with index "
                        + index);
            }
            out[index] = answerLogLikelihood(choice, rows.get(index));
        }
        return out;
    }

    /** Sums the log-probabilities of the echoed tokens that cover the answer's characters. */
    private double answerLogLikelihood(JsonNode choice, Scored row) throws IOException {
        JsonNode lp = choice.path("logprobs");
        JsonNode values = lp.path("token_logprobs");
        JsonNode offsets = lp.path("text_offset");
        if (!values.isArray() || !offsets.isArray() || values.size() == 0) {
            throw new IOException("Endpoint " + endpoint + " returned no log-probabilities;"
                    + " it must support echo=true with logprobs on /v1/completions (vLLM and"
                    + " llama.cpp server do; chat-only endpoints do not)");
        }
        int start = row.prompt.length();
        int end = start + row.answer.length();
        double sum = 0;
        int counted = 0;
        for (int i = 0; i < values.size(); i++) {
            int from = offsets.get(i).asInt();
            int to = i + 1 < offsets.size() ? offsets.get(i + 1).asInt() : end;
            if (from >= end || to <= start) {
                continue;
            }
            if (values.get(i).isNull()) {
                throw new IOException("Endpoint " + endpoint
                        + " returned a null log-probability for an answer token");
            }
            sum += values.get(i).asDouble();
            counted++;
        }
        if (counted == 0) {
            throw new IOException("Endpoint " + endpoint
                    + " returned no tokens covering the answer '" + row.answer + "'");
        }
        return sum;
    }

    /** POSTs with retries on connection errors, timeouts, 429 and 5xx (exponential backoff). */
    private JsonNode post(String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null && !apiKey.isEmpty()) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        IOException last = null;
        for (int attempt = 0; attempt <= retries; attempt++) {
            if (attempt > 0) {
                Thread.sleep(Math.min(2000, 100L << (attempt - 1)));
            }
            try {
                HttpResponse<String> response =
                        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                int code = response.statusCode();
                if (code == 200) {
                    return JSON.readTree(response.body());
                }
                last = new IOException("Endpoint " + endpoint + " returned HTTP " + code + ": "
                        + abbreviate(response.body()));
                if (code != 429 && code < 500) {
                    throw last;
                }
            } catch (HttpTimeoutException e) {
                last = new IOException("Endpoint " + endpoint + " did not answer within "
                        + timeout.toMillis() + " ms", e);
            } catch (java.net.ConnectException e) {
                last = new IOException("Cannot connect to " + endpoint + ": " + e.getMessage(), e);
            }
        }
        throw new IOException(last.getMessage() + " (after " + (retries + 1) + " attempts)", last);
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    @Override
    public void close() {
        // The JDK HTTP client holds no resources that need closing on Java 17.
    }

    /** Builder; {@link #build()} checks the URL and bounds. */
    public static final class Builder {
        private String url;
        private String model = "default";
        private String apiKey = System.getenv("OPENAI_API_KEY");
        private Duration timeout = Duration.ofSeconds(30);
        private int retries = 2;
        private int maxTokens = 1;
        private String pointwiseTemplate = PromptTemplate.COREL_LA_POINTWISE;
        private String listwiseTemplate = PromptTemplate.DEFAULT_LISTWISE;
        private String positiveAnswer = " yes";
        private String negativeAnswer = " no";
        private RequestLimits limits = RequestLimits.defaults();

        /** Base URL, e.g. http://127.0.0.1:8000 (the path /v1/completions is added). */
        public Builder url(String v) {
            this.url = v;
            return this;
        }

        public Builder model(String v) {
            this.model = v;
            return this;
        }

        public Builder apiKey(String v) {
            this.apiKey = v;
            return this;
        }

        public Builder timeout(Duration v) {
            this.timeout = v;
            return this;
        }

        public Builder retries(int v) {
            this.retries = v;
            return this;
        }

        /** Tokens to generate; 1 by default since some servers refuse 0 (only echo is used). */
        public Builder maxTokens(int v) {
            this.maxTokens = v;
            return this;
        }

        public Builder pointwiseTemplate(String v) {
            this.pointwiseTemplate = v;
            return this;
        }

        public Builder listwiseTemplate(String v) {
            this.listwiseTemplate = v;
            return this;
        }

        public Builder answers(String positive, String negative) {
            this.positiveAnswer = positive;
            this.negativeAnswer = negative;
            return this;
        }

        public Builder limits(RequestLimits v) {
            this.limits = v;
            return this;
        }

        public OpenAiBackend build() {
            if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new IllegalArgumentException(
                        "openai needs --openai-url http(s)://HOST:PORT, got " + url);
            }
            URI.create(url);
            if (timeout == null || timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            if (retries < 0 || maxTokens < 0) {
                throw new IllegalArgumentException("retries and max tokens must be >= 0");
            }
            if (positiveAnswer.isEmpty() || negativeAnswer.isEmpty()
                    || positiveAnswer.equals(negativeAnswer)) {
                throw new IllegalArgumentException("Answers must be two different, non-empty strings");
            }
            return new OpenAiBackend(this);
        }
    }
}
