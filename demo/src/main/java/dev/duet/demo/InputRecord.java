package dev.duet.demo;

/**
 * One record the demo writes into an input topic.
 *
 * @param kind what the job should make of it
 * @param topic the input topic
 * @param key the Kafka key (the user, so one user's events stay in order), or null
 * @param value the JSON value
 * @param requestId a request's id (its output's id); null otherwise
 */
record InputRecord(Kind kind, String topic, String key, String value, String requestId) {

    /** Interactions and requests each give one recommendation; bad records one dead letter. */
    enum Kind {
        INTERACTION,
        REQUEST,
        BAD
    }
}
