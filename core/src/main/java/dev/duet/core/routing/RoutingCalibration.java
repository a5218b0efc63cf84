package dev.duet.core.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * What the router takes from a calibration file (docs/collaboration.md): the gate weights, and,
 * when the file comes from {@code ./duet calibrate}, the feature scales and entropy floor the
 * weights were fitted with and the gate threshold that routed each budget on validation. A file
 * with only the four weights is also accepted; the other settings then keep their defaults.
 *
 * @param weights the gate weights
 * @param warmHistory the cold-feature scale of the fit, or NaN when the file has none
 * @param headPopularity the tail-feature scale of the fit, or NaN
 * @param minEntropy the entropy floor of the fit, or NaN
 * @param budgets validation thresholds per budget, possibly empty
 */
public record RoutingCalibration(
        GateWeights weights, double warmHistory, double headPopularity, double minEntropy, List<BudgetThreshold> budgets) {

    /** The gate score at or above which {@code share} of the validation samples were routed. */
    public record BudgetThreshold(double share, double gateThreshold) {}

    public RoutingCalibration {
        budgets = List.copyOf(budgets);
    }

    /** Reads a calibration file; fails naming the file and the malformed field. */
    public static RoutingCalibration load(Path file) throws IOException {
        GateWeights weights = GateWeights.load(file);
        JsonNode root = new ObjectMapper().readTree(Files.readString(file));
        JsonNode gate = root.path("gate");
        List<BudgetThreshold> budgets = new ArrayList<>();
        for (JsonNode b : root.path("budgets")) {
            double share = number(b, "share", file);
            double threshold = number(b, "gate_threshold", file);
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException(file + ": budget share must be in (0, 1], got " + share);
            }
            budgets.add(new BudgetThreshold(share, threshold));
        }
        return new RoutingCalibration(weights, optional(gate, "warm_history", file), optional(gate, "head_popularity", file),
                optional(gate, "min_entropy", file), budgets);
    }

    /**
     * The validation gate threshold of the calibrated budget nearest to {@code share} (the larger
     * one on a tie), or empty when the file has no budgets.
     */
    public OptionalDouble gateThresholdFor(double share) {
        BudgetThreshold best = null;
        for (BudgetThreshold b : budgets) {
            if (best == null || Math.abs(b.share() - share) < Math.abs(best.share() - share) - 1e-12
                    || (Math.abs(Math.abs(b.share() - share) - Math.abs(best.share() - share)) <= 1e-12 && b.share() > best.share())) {
                best = b;
            }
        }
        return best == null ? OptionalDouble.empty() : OptionalDouble.of(best.gateThreshold());
    }

    private static double optional(JsonNode n, String field, Path file) {
        if (n.path(field).isMissingNode()) {
            return Double.NaN;
        }
        return number(n, field, file);
    }

    private static double number(JsonNode n, String field, Path file) {
        if (!n.path(field).isNumber() || !Double.isFinite(n.get(field).asDouble())) {
            throw new IllegalArgumentException(file + ": calibration needs a finite number '" + field + "'");
        }
        return n.get(field).asDouble();
    }
}
