package dev.duet.job.model;

/** Per item: its decayed interaction count, and the count last broadcast to the user operators. */
public class PopularityState {
    public DecayedCount current;
    /** Null before the first broadcast. */
    public DecayedCount sent;

    public PopularityState() {}
}
