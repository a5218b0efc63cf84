package dev.duet.bench.faults;

import dev.duet.core.onnx.ShortCommandLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./duet bench faults}: see {@link FaultSuite} and docs/reliability.md. */
@Command(
        name = "faults",
        mixinStandardHelpOptions = true,
        description = {
            "The fault suite: the job, the LLM workers and a Kafka broker each in its own process on 127.0.0.1, a steady"
                    + " stream, and these faults in turn: worker-restart (one worker killed and started again), workers-down"
                    + " (all workers down for --outage-s), job-crash (the job killed with SIGKILL and started again with the"
                    + " same command), broker-restart (the broker stopped and started again on the same port and data). Per"
                    + " fault: records in, out, lost, duplicated, fallbacks, LLM recovery time and whether a probe user's"
                    + " state survived. Prints the table and writes faults.json and faults.md into --out.",
            "Exit code 0 when no fault lost or duplicated a record, every probe user's state survived and the LLM route"
                    + " recovered within 5 s every time; 1 otherwise, with one line saying which."
        })
public final class FaultsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the reports, logs and the trained model go (default:"
            + " ${DEFAULT-VALUE}).", defaultValue = "runs/faults")
    Path out;

    @Option(names = "--short", description = "The short form CI runs: a 10 s outage, 20 events/s, a smaller data set and model.")
    boolean shortRun;

    @Option(names = "--faults", description = "Faults to run, in this order (default: all: worker-restart,workers-down,"
            + "job-crash,broker-restart).")
    String faults;

    @Option(names = "--rate", description = "Input events per second (default: 40; --short: 20).")
    Double rate;

    @Option(names = "--outage-s", description = "Seconds every worker stays down in workers-down (default: 60; --short: 10).")
    Long outageSeconds;

    @Option(names = "--workers", description = "LLM worker processes (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int workers;

    @Option(names = "--job-option", paramLabel = "KEY=VALUE", description = "A job option (docs/job.md) for the job's"
            + " command line, e.g. routing.budget.rate=20 (repeatable; default: none, the job as ./duet job runs it).")
    Map<String, String> jobOptions = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        // Before anything loads ONNX Runtime: a long command line would crash it (ShortCommandLine).
        int relaunched = ShortCommandLine.relaunchIfNeeded();
        if (relaunched >= 0) {
            return relaunched;
        }
        FaultSuiteSettings.Builder b = shortRun ? FaultSuiteSettings.shortRun() : FaultSuiteSettings.builder();
        b.out(home(out)).workers(workers).jobOptions(jobOptions)
                .command("./duet " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        if (faults != null) {
            b.faults(Fault.parse(faults));
        }
        if (rate != null) {
            b.rate(rate);
        }
        if (outageSeconds != null) {
            b.outage(Duration.ofSeconds(outageSeconds));
        }
        FaultSuiteResult result;
        FaultSuite suite = new FaultSuite(b.build(), System.out);
        Thread hook = new Thread(suite::close, "duet-faults-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            result = suite.run();
        } finally {
            suite.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Already shutting down: the hook runs anyway and close() is idempotent.
            }
        }
        System.out.println(result.ok() ? "bench faults: OK, nothing lost or duplicated, every state survived, the LLM route"
                + " recovered within 5 s each time" : "bench faults: FAILED: " + String.join("; ", result.problems()));
        return result.ok() ? 0 : 1;
    }

    /** Relative paths resolve against the checkout (the launcher's duet.home), not wherever java started. */
    private static Path home(Path p) {
        String home = System.getProperty("duet.home");
        return p == null || p.isAbsolute() || home == null ? p : Path.of(home).resolve(p);
    }
}
