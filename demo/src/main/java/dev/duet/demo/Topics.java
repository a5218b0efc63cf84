package dev.duet.demo;

import dev.duet.job.JobOptions;
import java.util.List;

/** The job's topic names (its defaults), which the demo creates and writes. */
public final class Topics {

    public static final String INTERACTIONS = JobOptions.TOPIC_INTERACTIONS.defaultValue();
    public static final String REQUESTS = JobOptions.TOPIC_REQUESTS.defaultValue();
    public static final String ITEMS = JobOptions.TOPIC_ITEMS.defaultValue();
    public static final String CONTROL = JobOptions.TOPIC_CONTROL.defaultValue();
    public static final String RECOMMENDATIONS = JobOptions.TOPIC_RECOMMENDATIONS.defaultValue();
    public static final String DEAD_LETTERS = JobOptions.TOPIC_DEAD_LETTERS.defaultValue();

    /** Partitions per topic: one per job subtask on this small machine is enough. */
    public static final int PARTITIONS = 2;

    private Topics() {}

    public static List<String> all() {
        return List.of(INTERACTIONS, REQUESTS, ITEMS, CONTROL, RECOMMENDATIONS, DEAD_LETTERS);
    }
}
