package dev.duet.core.crm;

/**
 * The CRM's answers for a batch: click probability and behaviour vectors per row.
 *
 * @param probability [rows]
 * @param userVectors [rows * dim], row-major
 * @param itemVectors [rows * dim], row-major
 * @param dim behaviour vector width
 */
public record CrmScores(float[] probability, float[] userVectors, float[] itemVectors, int dim) {

    public int rows() {
        return probability.length;
    }

    /** The user vector of a row, copied. */
    public float[] userVector(int row) {
        return java.util.Arrays.copyOfRange(userVectors, row * dim, (row + 1) * dim);
    }

    /** The item vector of a row, copied. */
    public float[] itemVector(int row) {
        return java.util.Arrays.copyOfRange(itemVectors, row * dim, (row + 1) * dim);
    }
}
