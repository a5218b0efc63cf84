package dev.duet.collab.cli;

import java.util.ArrayList;
import java.util.List;

/** The module's subcommands; each feature registers its command class here (one line each). */
final class Subcommands {

    private Subcommands() {}

    static List<Object> all() {
        List<Object> commands = new ArrayList<>();
        // calibrate and collaboration eval (dev.duet.collab.calibration):
        commands.addAll(dev.duet.collab.calibration.Commands.all());
        // teacher-scores (dev.duet.collab.teacher): S-LLMR's cached teacher scores
        commands.add(new dev.duet.collab.teacher.TeacherScoresCommand());
        // train-llm and export-llm-data (dev.duet.collab.corella):
        commands.addAll(dev.duet.collab.corella.Commands.all());
        // demo (dev.duet.collab.demo):
        commands.add(new dev.duet.collab.demo.DemoCommand());
        // bench pipeline (dev.duet.collab.bench):
        commands.add(new dev.duet.collab.bench.BenchCommand());
        return commands;
    }
}
