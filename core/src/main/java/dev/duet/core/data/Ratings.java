package dev.duet.core.data;

/** Checks of rating values shared by the readers. */
final class Ratings {

    private Ratings() {}

    /** Explicit ratings in this project's data sets lie in [0.5, 5]. */
    static float checked(DelimitedFile.Row row, float rating) {
        if (rating < 0.5f || rating > 5f) {
            throw row.error("rating out of range [0.5, 5]: " + rating);
        }
        return rating;
    }
}
