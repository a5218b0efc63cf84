package dev.duet.core.routing;

import java.util.Locale;

/** Which model answered a sample. */
public enum Route {
    /** The conventional model alone: the sample was easy or the budget was spent. */
    CRM,
    /** The LLM pool answered a hard sample. */
    LLM,
    /** A hard sample whose LLM call timed out, failed or met an open circuit breaker: the CRM answered. */
    FALLBACK;

    /** The lower-case name used in output records ("crm", "llm", "fallback"). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
