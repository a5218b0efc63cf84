package dev.duet.evaluation.calibration;

import java.util.List;

/** The commands of this package, for the collab Main's registry (one line there). */
public final class Commands {

    private Commands() {}

    public static List<Object> all() {
        return List.of(new CalibrateCommand(), new CollaborationEvalCommand());
    }
}
