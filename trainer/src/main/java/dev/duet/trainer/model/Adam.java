package dev.duet.trainer.model;

/**
 * Adam for the dense parameters, and lazy Adam for the table: a table row's moments and value
 * change only in steps whose mini-batch looks the row up (as in sparse-embedding Adam), with the
 * global step's bias correction.
 */
final class Adam {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final float learningRate;
    private final float[] denseM;
    private final float[] denseV;
    private final float[] tableM;
    private final float[] tableV;
    private int step;

    Adam(float learningRate, int denseSize, int tableSize) {
        this.learningRate = learningRate;
        this.denseM = new float[denseSize];
        this.denseV = new float[denseSize];
        this.tableM = new float[tableSize];
        this.tableV = new float[tableSize];
    }

    void step(float[] dense, float[] denseGrad, float[] table, float[] tableGrad, int[] rows,
            int rowCount, int width) {
        step++;
        float c1 = (float) (1 - Math.pow(BETA1, step));
        float c2 = (float) (1 - Math.pow(BETA2, step));
        float rate = (float) (learningRate * Math.sqrt(c2) / c1);
        update(dense, denseGrad, denseM, denseV, 0, dense.length, rate);
        for (int r = 0; r < rowCount; r++) {
            int from = rows[r] * width;
            update(table, tableGrad, tableM, tableV, from, from + width, rate);
        }
    }

    private static void update(float[] w, float[] g, float[] m, float[] v, int from, int to,
            float rate) {
        float epsilon = EPSILON;
        for (int j = from; j < to; j++) {
            float gj = g[j];
            float mj = BETA1 * m[j] + (1 - BETA1) * gj;
            float vj = BETA2 * v[j] + (1 - BETA2) * gj * gj;
            m[j] = mj;
            v[j] = vj;
            w[j] -= rate * mj / ((float) Math.sqrt(vj) + epsilon);
        }
    }
}
