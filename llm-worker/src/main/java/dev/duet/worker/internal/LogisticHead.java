package dev.duet.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the text encoder's similarity features and the CRM's logit into a probability:
 * {@code sigmoid(bias + sum w_f * f)}. Weights come from a JSON file (written by a calibration
 * step); {@link #defaults()} is an uncalibrated starting point documented in docs/worker.md.
 */
public final class LogisticHead {

    /** The features, in a fixed order; the JSON names them. */
    public static final List<String> FEATURES = List.of(
            "liked_similarity", "disliked_similarity", "max_similarity", "crm_logit");

    private final double bias;
    private final double[] weights;
    private final double likeThreshold;
    private final String version;

    public LogisticHead(double bias, double[] weights, double likeThreshold, String version) {
        if (weights.length != FEATURES.size()) {
            throw new IllegalArgumentException("expected " + FEATURES.size() + " weights");
        }
        this.bias = bias;
        this.weights = weights.clone();
        this.likeThreshold = likeThreshold;
        this.version = version;
    }

    public static LogisticHead defaults() {
        return new LogisticHead(-1.5, new double[] {5.0, -3.0, 2.0, 1.0}, 4.0, "default");
    }

    /**
     * Reads a head file, or the {@code head} object of a calibration file; unknown or missing
     * feature names are errors naming the file.
     */
    public static LogisticHead read(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("Head file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root != null && root.path("head").isObject()) {
            // A calibration file (docs/collaboration.md) keeps the head under "head", beside
            // the gate weights and routing thresholds.
            root = root.get("head");
        }
        JsonNode w = root.path("weights");
        if (!root.path("bias").isNumber() || !w.isObject()) {
            throw new IllegalArgumentException("Head file " + file
                    + " needs a number 'bias' and an object 'weights' with " + FEATURES);
        }
        double[] weights = new double[FEATURES.size()];
        for (Iterator<String> it = w.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            int i = FEATURES.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("Head file " + file + ": unknown feature '"
                        + name + "', expected " + FEATURES);
            }
            if (!w.get(name).isNumber()) {
                throw new IllegalArgumentException(
                        "Head file " + file + ": weight of '" + name + "' is not a number");
            }
            weights[i] = w.get(name).asDouble();
        }
        for (String f : FEATURES) {
            if (!w.has(f)) {
                throw new IllegalArgumentException(
                        "Head file " + file + ": missing weight for '" + f + "'");
            }
        }
        double threshold = root.path("like_threshold").asDouble(4.0);
        String version = root.path("version").asText(ModelDigest.of(Files.readAllBytes(file)));
        return new LogisticHead(root.path("bias").asDouble(), weights, threshold, version);
    }

    /** The JSON form, as {@link #read} expects it. */
    public String toJson() {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("version", version);
        root.put("bias", bias);
        root.put("like_threshold", likeThreshold);
        ObjectNode w = root.putObject("weights");
        for (int i = 0; i < FEATURES.size(); i++) {
            w.put(FEATURES.get(i), weights[i]);
        }
        return root.toPrettyString();
    }

    /** Ratings at or above this count as liked; lower explicit ratings as disliked. */
    public double likeThreshold() {
        return likeThreshold;
    }

    public String version() {
        return version;
    }

    public Map<String, Double> weights() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < FEATURES.size(); i++) {
            m.put(FEATURES.get(i), weights[i]);
        }
        return m;
    }

    /** bias + w . features, before the sigmoid (a listwise score). */
    public double logit(double[] features) {
        double z = bias;
        for (int i = 0; i < weights.length; i++) {
            z += weights[i] * features[i];
        }
        return z;
    }

    public static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }
}
