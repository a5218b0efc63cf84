package dev.duet.evaluation.cli;

import java.util.ArrayList;
import java.util.List;

/** The module's subcommands; each feature registers its command class here (one line each). */
final class Subcommands {

    private Subcommands() {}

    static List<Object> all() {
        List<Object> commands = new ArrayList<>();
        // calibrate and collaboration eval (dev.duet.evaluation.calibration):
        commands.addAll(dev.duet.evaluation.calibration.Commands.all());
        // teacher-scores (dev.duet.evaluation.teacher): S-LLMR's cached teacher scores
        commands.add(new dev.duet.evaluation.teacher.TeacherScoresCommand());
        // train-llm and export-llm-data (dev.duet.evaluation.corella):
        commands.addAll(dev.duet.evaluation.corella.Commands.all());
        return commands;
    }
}
