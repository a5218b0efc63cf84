package dev.duet.core.data;

/** MovieLens-1M's age buckets, used for every source so that profiles look alike. */
public final class AgeBuckets {

    private AgeBuckets() {}

    /** The MovieLens-1M code of an age: 1, 18, 25, 35, 45, 50 or 56. */
    public static String bucket(int age) {
        if (age < 18) {
            return "1";
        } else if (age < 25) {
            return "18";
        } else if (age < 35) {
            return "25";
        } else if (age < 45) {
            return "35";
        } else if (age < 50) {
            return "45";
        } else if (age < 56) {
            return "50";
        }
        return "56";
    }
}
