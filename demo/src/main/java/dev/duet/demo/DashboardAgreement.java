package dev.duet.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether the dashboard's live quality gauges say what the output topic says: for every route and
 * subtask, {@code prequential.<route>.samples}, {@code .auc} and {@code .logLoss} as the Flink
 * REST API reports them against the same figures computed from the labelled outputs that subtask
 * wrote ({@link SubtaskWindows}). Compared only where every sample still fits the job's window
 * ({@code metrics.window}); beyond it the window holds the last samples in the subtask's order,
 * which the output topic's partitions do not preserve.
 */
final class DashboardAgreement {

    /** The operator whose gauges these are ({@code DuetJob}: "prequential metrics"). */
    static final String OPERATOR = "prequential metrics";
    static final double TOLERANCE = 1e-6;

    /** One route on one subtask: the dashboard's figures beside the outputs'. */
    record Row(String route, int subtask, double dashboardSamples, int outputSamples, double dashboardAuc, double outputAuc,
            double dashboardLogLoss, double outputLogLoss, boolean compared) {

        boolean agrees() {
            return !compared || (dashboardSamples == outputSamples && close(dashboardAuc, outputAuc)
                    && close(dashboardLogLoss, outputLogLoss));
        }

        private static boolean close(double a, double b) {
            return (Double.isNaN(a) && Double.isNaN(b)) || Math.abs(a - b) <= TOLERANCE;
        }
    }

    /** The rows, and what went wrong when the dashboard could not be read ({@code error} non-null). */
    record Result(List<Row> rows, String error) {

        boolean agrees() {
            return error == null && rows.stream().allMatch(Row::agrees);
        }

        List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (error != null) {
                problems.add("the dashboard's live AUC could not be read: " + error);
            }
            for (Row r : rows) {
                if (!r.agrees()) {
                    problems.add(String.format("dashboard %s AUC on subtask %d reads %.6f over %.0f samples; the outputs give %.6f"
                                    + " over %d", r.route(), r.subtask(), r.dashboardAuc(), r.dashboardSamples(), r.outputAuc(),
                            r.outputSamples()));
                }
            }
            return problems;
        }
    }

    private DashboardAgreement() {}

    /**
     * Reads the gauges until they agree with the outputs or {@code timeoutMs} passes (the REST
     * server refreshes metrics every few seconds and the gauges recompute at most every 2 s, so
     * a first read can be older than the last outputs).
     */
    static Result check(DashboardMetrics dashboard, String jobId, SubtaskWindows outputs, int window, long timeoutMs)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        Result last;
        do {
            last = readOnce(dashboard, jobId, outputs, window);
            if (last.agrees()) {
                return last;
            }
            Thread.sleep(1000);
        } while (System.currentTimeMillis() < deadline);
        return last;
    }

    private static Result readOnce(DashboardMetrics dashboard, String jobId, SubtaskWindows outputs, int window)
            throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        try {
            DashboardMetrics.Vertex v = dashboard.vertexOf(jobId, OPERATOR);
            if (v.parallelism() != outputs.parallelism()) {
                return new Result(rows, "vertex '" + v.name() + "' runs " + v.parallelism() + " subtasks, expected "
                        + outputs.parallelism());
            }
            if (v.maxParallelism() > 0 && v.maxParallelism() != outputs.maxParallelism()) {
                return new Result(rows, "vertex '" + v.name() + "' has max parallelism " + v.maxParallelism() + ", expected "
                        + outputs.maxParallelism() + " (users would be assigned to other subtasks)");
            }
            for (int subtask = 0; subtask < v.parallelism(); subtask++) {
                List<String> suffixes = new ArrayList<>();
                for (String route : LiveStats.ROUTES) {
                    for (String name : new String[] {"samples", "auc", "logLoss"}) {
                        suffixes.add("prequential." + route + "." + name);
                    }
                }
                Map<String, Double> values = dashboard.subtaskMetrics(jobId, v.id(), subtask, suffixes);
                for (String route : LiveStats.ROUTES) {
                    SubtaskWindows.Figures f = outputs.figures(route, subtask);
                    String p = "prequential." + route + ".";
                    double samples = values.getOrDefault(p + "samples", Double.NaN);
                    rows.add(new Row(route, subtask, samples, f.samples(), values.getOrDefault(p + "auc", Double.NaN), f.auc(),
                            values.getOrDefault(p + "logLoss", Double.NaN), f.logLoss(), f.samples() <= window));
                }
            }
            return new Result(rows, null);
        } catch (java.io.IOException | RuntimeException e) {
            return new Result(rows, e.toString());
        }
    }
}
