package dev.duet.job.model;

/** Where a request's candidates came from (the {@code retrieval} field of its output). */
public final class RetrievalSource {

    /** The request brought its own candidates. */
    public static final String REQUEST = "request";
    /** The most popular items the user has not seen (no sequence model, or it knew none of the user's items). */
    public static final String POPULARITY = "popularity";
    /** The sequence model's exact top N for the user's history. */
    public static final String SEQUENCE = "sequence";

    /** Every source, for metrics. */
    public static final String[] ALL = {REQUEST, POPULARITY, SEQUENCE};

    private RetrievalSource() {}
}
