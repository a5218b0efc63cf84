package dev.duet.core.events;

/**
 * An input record that cannot be parsed or violates the event schema (docs/topics.md). The message
 * is the reason written to the dead-letter topic; it names the offending field.
 */
public final class InvalidEventException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidEventException(String reason) {
        super(reason);
    }
}
