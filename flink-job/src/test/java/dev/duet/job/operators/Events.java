package dev.duet.job.operators;

import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.JobEvent;

/** Builders of job events for harness tests. */
final class Events {

    private Events() {}

    static JobEvent interaction(String user, String item, float rating, long ts) {
        JobEvent e = new JobEvent();
        e.kind = EventKind.INTERACTION;
        e.eventId = "interactions-0-" + ts;
        e.userId = user;
        e.itemId = item;
        e.rating = rating;
        e.timestampMs = ts;
        return e;
    }

    static JobEvent request(String id, String user, int k, long ts, String... candidates) {
        JobEvent e = new JobEvent();
        e.kind = EventKind.REQUEST;
        e.requestId = id;
        e.userId = user;
        e.k = k;
        e.timestampMs = ts;
        e.candidates = candidates;
        return e;
    }

    static JobEvent item(String id, String title, int year, String... genres) {
        JobEvent e = new JobEvent();
        e.kind = EventKind.ITEM;
        e.itemId = id;
        e.item = new ItemDescriptor(id, title, year, genres);
        return e;
    }

    static JobEvent popularity(String item, double value) {
        return popularity(item, value, 0);
    }

    static JobEvent popularity(String item, double value, long atMs) {
        JobEvent e = new JobEvent();
        e.timestampMs = atMs;
        e.kind = EventKind.POPULARITY;
        e.itemId = item;
        e.itemPopularity = value;
        return e;
    }

    static JobEvent control(String path) {
        JobEvent e = new JobEvent();
        e.kind = EventKind.CONTROL;
        e.modelPath = path;
        return e;
    }

    /** A control record that replaces the sequence model (candidate retrieval). */
    static JobEvent sequenceModelControl(String path) {
        JobEvent e = control(path);
        e.controlTarget = dev.duet.core.events.ModelControl.Target.SEQUENCE_MODEL.name();
        return e;
    }
}
