package dev.duet.worker.internal;

/** Formatting shared by the metric writers (Prometheus text exposition format 0.0.4). */
final class PrometheusText {

    private PrometheusText() {}

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String label(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
