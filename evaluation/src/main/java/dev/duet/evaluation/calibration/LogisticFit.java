package dev.duet.evaluation.calibration;

/**
 * Logistic regression by Newton's method (IRLS) with a small ridge penalty: the models calibration
 * fits have at most a handful of features, so exact second-order steps converge in a few
 * iterations and need no learning rate. The ridge keeps separable or collinear data finite.
 */
public final class LogisticFit {

    /** Fitted weights (one per feature column) and intercept. */
    public record Result(double[] weights, double bias, int iterations) {

        public double logit(double[] x) {
            double z = bias;
            for (int j = 0; j < weights.length; j++) {
                z += weights[j] * x[j];
            }
            return z;
        }

        public double probability(double[] x) {
            return sigmoid(logit(x));
        }
    }

    private static final int MAX_ITERATIONS = 50;
    private static final double TOLERANCE = 1e-8;

    private final double ridge;

    /** @param ridge L2 penalty on the weights (not the intercept), per sample */
    public LogisticFit(double ridge) {
        if (!(ridge >= 0)) {
            throw new IllegalArgumentException("ridge must not be negative, got " + ridge);
        }
        this.ridge = ridge;
    }

    /**
     * Fits {@code P(y = 1 | x) = sigmoid(w . x + b)}.
     *
     * @param x rows of features, all the same width
     * @param y targets in [0, 1], one per row
     */
    public Result fit(double[][] x, double[] y) {
        int n = x.length;
        if (n == 0 || y.length != n) {
            throw new IllegalArgumentException("need as many targets as rows, and at least one row");
        }
        int d = x[0].length;
        int p = d + 1;
        double[] beta = new double[p];
        int iteration = 0;
        while (iteration < MAX_ITERATIONS) {
            iteration++;
            double[] gradient = new double[p];
            double[][] hessian = new double[p][p];
            double[] row = new double[p];
            for (int i = 0; i < n; i++) {
                if (x[i].length != d) {
                    throw new IllegalArgumentException("row " + i + " has " + x[i].length + " features, expected " + d);
                }
                System.arraycopy(x[i], 0, row, 0, d);
                row[d] = 1;
                double z = 0;
                for (int j = 0; j < p; j++) {
                    z += beta[j] * row[j];
                }
                double mu = sigmoid(z);
                double w = Math.max(mu * (1 - mu), 1e-10);
                for (int j = 0; j < p; j++) {
                    gradient[j] += (y[i] - mu) * row[j];
                    for (int k = 0; k <= j; k++) {
                        hessian[j][k] += w * row[j] * row[k];
                    }
                }
            }
            for (int j = 0; j < p; j++) {
                for (int k = 0; k < j; k++) {
                    hessian[k][j] = hessian[j][k];
                }
            }
            for (int j = 0; j < d; j++) {
                gradient[j] -= ridge * n * beta[j];
                hessian[j][j] += ridge * n;
            }
            // A tiny jitter on the intercept keeps the system solvable when a column is constant.
            hessian[d][d] += 1e-9 * n;
            double[] step = solve(hessian, gradient);
            double largest = 0;
            for (int j = 0; j < p; j++) {
                beta[j] += step[j];
                largest = Math.max(largest, Math.abs(step[j]));
            }
            if (largest < TOLERANCE) {
                break;
            }
        }
        double[] weights = java.util.Arrays.copyOf(beta, d);
        for (double v : beta) {
            if (!Double.isFinite(v)) {
                throw new IllegalStateException("logistic fit diverged");
            }
        }
        return new Result(weights, beta[d], iteration);
    }

    /** Solves a small symmetric positive definite system by Gaussian elimination with pivoting. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n] = b[i];
        }
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
                    pivot = r;
                }
            }
            double[] t = m[c];
            m[c] = m[pivot];
            m[pivot] = t;
            if (Math.abs(m[c][c]) < 1e-300) {
                throw new IllegalStateException("singular system in logistic fit");
            }
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / m[c][c];
                for (int k = c; k <= n; k++) {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = m[r][n];
            for (int k = r + 1; k < n; k++) {
                s -= m[r][k] * x[k];
            }
            x[r] = s / m[r][r];
        }
        return x;
    }

    public static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
