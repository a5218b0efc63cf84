package dev.duet.trainer.model;

/**
 * The few dense kernels the models need, on flat row-major float arrays. Loops run i-k-j so that the
 * innermost loop walks two arrays contiguously, which HotSpot's superword pass vectorises.
 */
final class Matrices {

    private Matrices() {}

    /**
     * {@code c[m,n] += a[m,k] * b[k,n]}. Four rows of {@code a} share each pass over a row of
     * {@code b}, so every loaded element of {@code b} feeds four multiply-adds: the kernel is bound
     * by loads otherwise (measured: about twice as fast as one row at a time on DCNv2's shapes).
     */
    static void gemm(
            float[] a, int aOff, int m, int k, float[] b, int bOff, int n, float[] c, int cOff) {
        int i = 0;
        for (; i + 3 < m; i += 4) {
            int a0 = aOff + i * k;
            int c0 = cOff + i * n;
            int c1 = c0 + n;
            int c2 = c1 + n;
            int c3 = c2 + n;
            for (int p = 0; p < k; p++) {
                float v0 = a[a0 + p];
                float v1 = a[a0 + k + p];
                float v2 = a[a0 + 2 * k + p];
                float v3 = a[a0 + 3 * k + p];
                if (v0 == 0f && v1 == 0f && v2 == 0f && v3 == 0f) {
                    continue;
                }
                int bRow = bOff + p * n;
                for (int j = 0; j < n; j++) {
                    float bv = b[bRow + j];
                    c[c0 + j] += v0 * bv;
                    c[c1 + j] += v1 * bv;
                    c[c2 + j] += v2 * bv;
                    c[c3 + j] += v3 * bv;
                }
            }
        }
        for (; i < m; i++) {
            int aRow = aOff + i * k;
            int cRow = cOff + i * n;
            for (int p = 0; p < k; p++) {
                float av = a[aRow + p];
                if (av == 0f) {
                    continue;
                }
                int bRow = bOff + p * n;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += av * b[bRow + j];
                }
            }
        }
    }

    /**
     * {@code c[k,n] += transpose(a[m,k]) * g[m,n]}: the weight gradient of a dense layer. Four rows
     * of {@code a} and {@code g} are folded into each pass over a row of {@code c}, so {@code c} is
     * loaded and stored once per four multiply-adds.
     */
    static void gemmTransA(
            float[] a, int aOff, int m, int k, float[] g, int gOff, int n, float[] c, int cOff) {
        int i = 0;
        for (; i + 3 < m; i += 4) {
            int a0 = aOff + i * k;
            int g0 = gOff + i * n;
            int g1 = g0 + n;
            int g2 = g1 + n;
            int g3 = g2 + n;
            for (int p = 0; p < k; p++) {
                float v0 = a[a0 + p];
                float v1 = a[a0 + k + p];
                float v2 = a[a0 + 2 * k + p];
                float v3 = a[a0 + 3 * k + p];
                if (v0 == 0f && v1 == 0f && v2 == 0f && v3 == 0f) {
                    continue;
                }
                int cRow = cOff + p * n;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += v0 * g[g0 + j] + v1 * g[g1 + j] + v2 * g[g2 + j] + v3 * g[g3 + j];
                }
            }
        }
        for (; i < m; i++) {
            int aRow = aOff + i * k;
            int gRow = gOff + i * n;
            for (int p = 0; p < k; p++) {
                float av = a[aRow + p];
                if (av == 0f) {
                    continue;
                }
                int cRow = cOff + p * n;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += av * g[gRow + j];
                }
            }
        }
    }

    /** Fills every row of {@code c[m,n]} with {@code bias[n]}. */
    static void broadcastRows(float[] bias, int biasOff, int m, int n, float[] c) {
        for (int i = 0; i < m; i++) {
            System.arraycopy(bias, biasOff, c, i * n, n);
        }
    }

    /** Adds the column sums of {@code g[m,n]} to {@code out[n]}: the bias gradient. */
    static void addColumnSums(float[] g, int m, int n, float[] out, int outOff) {
        for (int i = 0; i < m; i++) {
            int row = i * n;
            for (int j = 0; j < n; j++) {
                out[outOff + j] += g[row + j];
            }
        }
    }

    /** {@code dst[cols,rows] = transpose(src[rows,cols])}. */
    static void transpose(float[] src, int srcOff, int rows, int cols, float[] dst) {
        for (int r = 0; r < rows; r++) {
            int s = srcOff + r * cols;
            for (int c = 0; c < cols; c++) {
                dst[c * rows + r] = src[s + c];
            }
        }
    }

    /** Numerically stable {@code log(1 + exp(-|z|)) + max(z, 0) - y z}: cross-entropy on a logit. */
    static double binaryCrossEntropy(float logit, float label) {
        double z = logit;
        return Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0) - label * z;
    }

    static float sigmoid(float z) {
        return (float) (1.0 / (1.0 + Math.exp(-z)));
    }
}
