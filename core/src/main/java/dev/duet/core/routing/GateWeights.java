package dev.duet.core.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Weights of the selective gate {@code sigmoid(cold * c + tail * t + uncertainty * u + bias)}.
 *
 * <p>The {@link #DEFAULT} weights encode the prior of selective LLM-guided regularization: the LLM
 * helps most where the CRM has little to go on. Uncertainty dominates (a confident CRM is rarely
 * improved), cold users and long-tail items add to it. With them a warm user, a head item and a
 * confident prediction (0, 0, 0) give 0.08; a fully uncertain prediction alone (0, 0, 1) gives
 * 0.62; a cold user with a tail item and an uncertain prediction (1, 1, 1) gives 0.95.
 *
 * @param cold weight of the cold-user feature
 * @param tail weight of the long-tail-item feature
 * @param uncertainty weight of the CRM's normalised entropy
 * @param bias the intercept
 */
public record GateWeights(double cold, double tail, double uncertainty, double bias) implements java.io.Serializable {

    /** The documented default when no calibration file is given. */
    public static final GateWeights DEFAULT = new GateWeights(1.5, 1.0, 3.0, -2.5);

    public GateWeights {
        if (!Double.isFinite(cold) || !Double.isFinite(tail) || !Double.isFinite(uncertainty) || !Double.isFinite(bias)) {
            throw new IllegalArgumentException("gate weights must be finite numbers");
        }
    }

    /**
     * Reads a calibration file: a JSON object with the numbers {@code cold}, {@code tail}, {@code
     * uncertainty} and {@code bias} (e.g. fitted by logistic regression on where the LLM beat the
     * CRM). Fails naming the file and the missing or malformed field.
     */
    public static GateWeights load(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IOException("Cannot read gate calibration " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": gate calibration must be a JSON object");
        }
        return new GateWeights(
                number(root, "cold", file),
                number(root, "tail", file),
                number(root, "uncertainty", file),
                number(root, "bias", file));
    }

    private static double number(JsonNode root, String field, Path file) {
        JsonNode n = root.get(field);
        if (n == null || !n.isNumber()) {
            throw new IllegalArgumentException(file + ": gate calibration needs a number '" + field + "'");
        }
        return n.asDouble();
    }
}
