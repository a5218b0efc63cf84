package dev.duet.core.data;

/** The three parts of an evaluation split. */
public enum Split {
    TRAIN,
    VALID,
    TEST
}
