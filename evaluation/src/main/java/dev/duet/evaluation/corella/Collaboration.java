package dev.duet.evaluation.corella;

import dev.duet.evaluation.calibration.Calibration;
import dev.duet.evaluation.calibration.LogisticFit;
import dev.duet.evaluation.calibration.Routing;
import dev.duet.core.metrics.BinaryMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The collaboration's figures on one split, as {@code ./duet eval --llm} computes them for the
 * entropy rule (CoReLLa): the CRM's normalised entropy decides, the thresholds are validation
 * quantiles of each budget, at most {@code budget * n} samples are routed; the scorer answers the
 * routed ones, the CRM the rest.
 */
public final class Collaboration {

    private Collaboration() {}

    /** Entropy thresholds per budget from the validation split's CRM answers. */
    public static double[] thresholds(float[] validCrm) {
        double[] scores = Routing.entropyScores(validCrm);
        double[] t = new double[Calibration.BUDGETS.length];
        for (int b = 0; b < t.length; b++) {
            t[b] = Routing.threshold(scores, Calibration.BUDGETS[b]);
        }
        return t;
    }

    /** Everything measured: alone, and per budget overall and on the routed part. */
    public static Map<String, Object> measure(float[] labels, float[] crm, float[] scorer, double[] thresholds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", labels.length);
        m.put("crm", quality(labels, crm));
        m.put("scorer", quality(labels, scorer));
        double[] entropy = Routing.entropyScores(crm);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int b = 0; b < thresholds.length; b++) {
            double share = Calibration.BUDGETS[b];
            boolean[] routed = Routing.route(entropy, thresholds[b], share);
            float[] mixed = new float[labels.length];
            int count = Routing.count(routed);
            float[] l = new float[count];
            float[] c = new float[count];
            float[] s = new float[count];
            int k = 0;
            for (int i = 0; i < labels.length; i++) {
                mixed[i] = routed[i] ? scorer[i] : crm[i];
                if (routed[i]) {
                    l[k] = labels[i];
                    c[k] = crm[i];
                    s[k] = scorer[i];
                    k++;
                }
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("budget", share);
            row.put("threshold", thresholds[b]);
            row.put("routed_share", (double) count / labels.length);
            row.put("overall", quality(labels, mixed));
            row.put("routed_crm", quality(l, c));
            row.put("routed_scorer", quality(l, s));
            rows.add(row);
        }
        m.put("budgets", rows);
        return m;
    }

    /** The rows routed at a budget (entropy rule, the threshold given). */
    public static boolean[] routed(float[] crm, double threshold, double share) {
        return Routing.route(Routing.entropyScores(crm), threshold, share);
    }

    /** AUC of the collaboration at one budget (validation's model selection figure). */
    public static double auc(float[] labels, float[] crm, float[] scorer, double threshold, double share) {
        boolean[] routed = Routing.route(Routing.entropyScores(crm), threshold, share);
        float[] mixed = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            mixed[i] = routed[i] ? scorer[i] : crm[i];
        }
        return BinaryMetrics.auc(labels, mixed);
    }

    static Map<String, Object> quality(float[] labels, float[] p) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("count", labels.length);
        q.put("auc", labels.length == 0 ? Double.NaN : BinaryMetrics.auc(labels, p));
        q.put("logloss", labels.length == 0 ? Double.NaN : BinaryMetrics.logLoss(labels, p));
        q.put("accuracy", labels.length == 0 ? Double.NaN : BinaryMetrics.accuracy(labels, p));
        double mean = 0;
        double positives = 0;
        for (int i = 0; i < labels.length; i++) {
            mean += p[i];
            positives += labels[i];
        }
        // Calibration in the large: mean prediction against the positive rate.
        q.put("mean_prediction", labels.length == 0 ? Double.NaN : mean / labels.length);
        q.put("positive_rate", labels.length == 0 ? Double.NaN : positives / labels.length);
        return q;
    }

    /**
     * The blend {@code a z + b crm_logit + c} fitted by logistic regression on the chosen validation
     * rows (without the CRM term for a text-only scorer). Returns {a, b, c}.
     */
    public static double[] fitBlend(float[] z, float[] crmLogit, float[] labels, boolean useCrm, boolean[] rows) {
        int n = 0;
        for (boolean r : rows) {
            n += r ? 1 : 0;
        }
        double[][] x = new double[n][];
        double[] y = new double[n];
        int k = 0;
        for (int i = 0; i < z.length; i++) {
            if (!rows[i]) {
                continue;
            }
            x[k] = useCrm ? new double[] {z[i], crmLogit[i]} : new double[] {z[i]};
            y[k] = labels[i];
            k++;
        }
        LogisticFit.Result r = new LogisticFit(1e-4).fit(x, y);
        return new double[] {r.weights()[0], useCrm ? r.weights()[1] : 0, r.bias()};
    }

    static float[] sigmoid(float[] z, float[] crmLogit, double[] blend) {
        float[] p = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = (float) LogisticFit.sigmoid(blend[0] * z[i] + blend[1] * crmLogit[i] + blend[2]);
        }
        return p;
    }
}
