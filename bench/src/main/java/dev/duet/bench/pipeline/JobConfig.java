package dev.duet.bench.pipeline;

import java.util.ArrayList;
import java.util.List;

/** The three configurations the pipeline benchmark compares. */
enum JobConfig {
    PASS_THROUGH("a", "pass-through: parse, key by user, write JSON (PassThroughJob)"),
    CRM("b", "state + CRM scoring, no LLM (DuetJob, llm.enabled=false)"),
    FULL("c", "full job: state, CRM scoring, routing to the in-process LLM worker (DuetJob)");

    /** The letter used on the command line and in the report. */
    final String key;
    final String description;

    JobConfig(String key, String description) {
        this.key = key;
        this.description = description;
    }

    /** Parses {@code a,b,c} (any subset, any order; run in a, b, c order). */
    static List<JobConfig> parse(String list) {
        List<JobConfig> out = new ArrayList<>();
        for (String part : list.split(",")) {
            String p = part.trim();
            JobConfig found = null;
            for (JobConfig c : values()) {
                if (c.key.equalsIgnoreCase(p)) {
                    found = c;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("--configs: unknown configuration '" + p + "' (known: a, b, c)");
            }
            if (!out.contains(found)) {
                out.add(found);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--configs names no configuration");
        }
        out.sort(null);
        return out;
    }
}
