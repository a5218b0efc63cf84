package dev.duet.evaluation.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.core.routing.GateWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The calibration file: one JSON object read by the job ({@code routing.gate-calibration}, through
 * {@link GateWeights#load}: the gate weights are top-level keys), by the worker ({@code --head}: the
 * text-encoder head under {@code head}) and by the collaboration eval (thresholds per budget).
 * The format is documented in docs/collaboration.md.
 *
 * @param gate the fitted gate weights
 * @param warmHistory the gate's cold-feature scale used in the fit
 * @param headPopularity the gate's tail-feature scale used in the fit
 * @param minEntropy the entropy floor of the gate rule (the job's routing.min-entropy)
 * @param budgets thresholds per routing budget
 * @param headJson the text-encoder head in the worker's head format, or null for other backends
 * @param details everything else worth recording (data, samples, quality on validation)
 */
public record Calibration(
        GateWeights gate, int warmHistory, double headPopularity, double minEntropy, List<Budget> budgets,
        JsonNode headJson, Map<String, Object> details) {

    public static final String FORMAT = "duet-calibration/1";
    /** The routing budgets calibrated and evaluated: shares of samples the LLM may get. */
    public static final double[] BUDGETS = {0.05, 0.10, 0.20, 0.30};

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Thresholds of one budget, both quantiles on validation.
     *
     * @param share the budget
     * @param entropyThreshold normalised CRM entropy at or above which a sample is in the top share
     * @param gateThreshold gate score (entropy floor applied) at or above which a sample is in the top share
     */
    public record Budget(double share, double entropyThreshold, double gateThreshold) {}

    public Calibration {
        budgets = List.copyOf(budgets);
        details = details == null ? Map.of() : details;
    }

    public Budget budget(double share) {
        for (Budget b : budgets) {
            if (Math.abs(b.share() - share) < 1e-9) {
                return b;
            }
        }
        throw new IllegalArgumentException("the calibration has no budget " + share);
    }

    public void write(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("cold", gate.cold());
        root.put("tail", gate.tail());
        root.put("uncertainty", gate.uncertainty());
        root.put("bias", gate.bias());
        ObjectNode g = root.putObject("gate");
        g.put("warm_history", warmHistory);
        g.put("head_popularity", headPopularity);
        g.put("min_entropy", minEntropy);
        ArrayNode b = root.putArray("budgets");
        for (Budget budget : budgets) {
            ObjectNode n = b.addObject();
            n.put("share", budget.share());
            n.put("entropy_threshold", budget.entropyThreshold());
            n.put("gate_threshold", budget.gateThreshold());
        }
        if (headJson != null) {
            root.set("head", headJson);
        }
        root.set("details", JSON.valueToTree(details));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), root);
    }

    /** Reads a file written by {@link #write}; fails naming the file and what is missing. */
    public static Calibration read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("calibration file not found: " + file.toAbsolutePath());
        }
        GateWeights gate = GateWeights.load(file);
        JsonNode root = JSON.readTree(file.toFile());
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException(file + ": not a calibration file (format must be '" + FORMAT + "')");
        }
        JsonNode g = root.path("gate");
        List<Budget> budgets = new ArrayList<>();
        for (JsonNode n : root.path("budgets")) {
            budgets.add(new Budget(number(n, "share", file), number(n, "entropy_threshold", file),
                    number(n, "gate_threshold", file)));
        }
        if (budgets.isEmpty()) {
            throw new IllegalArgumentException(file + ": calibration needs a non-empty 'budgets' list");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> details = root.has("details") ? JSON.convertValue(root.get("details"), Map.class) : Map.of();
        return new Calibration(gate, (int) number(g, "warm_history", file), number(g, "head_popularity", file),
                number(g, "min_entropy", file), budgets, root.get("head"), details);
    }

    private static double number(JsonNode n, String field, Path file) {
        if (!n.path(field).isNumber()) {
            throw new IllegalArgumentException(file + ": calibration needs a number '" + field + "'");
        }
        return n.get(field).asDouble();
    }
}
