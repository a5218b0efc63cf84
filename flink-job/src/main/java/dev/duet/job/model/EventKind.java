package dev.duet.job.model;

/** What a {@link JobEvent} carries. */
public enum EventKind {
    INTERACTION,
    REQUEST,
    ITEM,
    CONTROL,
    /** An item's popularity after an interaction, broadcast to the user operator. */
    POPULARITY
}
