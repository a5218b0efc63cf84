package dev.duet.worker.cli;

import dev.duet.worker.ScoringBackend;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Creates a scoring backend in-process from the worker's own backend options (the same ones
 * {@code ./duet worker} takes, e.g. {@code --backend text-encoder --head FILE}), so that tools
 * which run a backend without a server (calibration, offline evaluation) configure it exactly as
 * the worker does instead of duplicating that code.
 */
public final class Backends {

    private Backends() {}

    /** Parses worker backend options and builds the backend; bad options fail naming the option. */
    public static ScoringBackend create(List<String> workerOptions) throws Exception {
        Spec spec = new Spec();
        try {
            new CommandLine(spec).parseArgs(workerOptions.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException("bad LLM backend options " + workerOptions + ": " + e.getMessage(), e);
        }
        return spec.options.create();
    }

    @Command(name = "backend")
    static final class Spec {
        @Mixin BackendOptions options = new BackendOptions();
    }
}
