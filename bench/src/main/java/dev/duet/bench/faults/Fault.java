package dev.duet.bench.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The faults of the suite, in the order they run. */
public enum Fault {
    /** One worker killed ({@code destroyForcibly}) and started again at once. */
    WORKER_RESTART("worker-restart", "one worker killed (SIGKILL) and started again"),
    /** Every worker down for the outage, then started again. */
    WORKERS_DOWN("workers-down", "all workers down for the outage, then started again"),
    /** The job's process killed with SIGKILL and started again with the same command. */
    JOB_CRASH("job-crash", "the job killed with SIGKILL and started again with the same command"),
    /** The broker stopped (SIGTERM) and started again on the same port and data. */
    BROKER_RESTART("broker-restart", "the broker stopped and started again on the same port and data");

    public final String key;
    public final String description;

    Fault(String key, String description) {
        this.key = key;
        this.description = description;
    }

    /** Parses a comma-separated list of fault names, e.g. "job-crash,broker-restart". */
    public static List<Fault> parse(String list) {
        List<Fault> faults = new ArrayList<>();
        for (String part : list.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            Fault found = null;
            for (Fault f : values()) {
                if (f.key.equals(name)) {
                    found = f;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("unknown fault '" + part.trim() + "' (known: worker-restart, workers-down,"
                        + " job-crash, broker-restart)");
            }
            if (!faults.contains(found)) {
                faults.add(found);
            }
        }
        if (faults.isEmpty()) {
            throw new IllegalArgumentException("no fault named");
        }
        return faults;
    }
}
