package dev.duet.trainer.model;

/**
 * A named slice of a model's flat dense parameter array: a matrix [rows, cols] (row-major) or a
 * vector (rows = 1).
 *
 * @param name e.g. "cross.0.weight"
 * @param offset first index in the flat array
 * @param rows rows of the matrix
 * @param cols columns of the matrix
 * @param regularised whether L2 applies (weights yes, biases no)
 */
public record ParameterGroup(String name, int offset, int rows, int cols, boolean regularised) {

    public int size() {
        return rows * cols;
    }

    public int end() {
        return offset + size();
    }
}
