package dev.duet.bench.pipeline;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Silences Flink warnings that every benchmark phase would print and that say nothing about the
 * measurement: each MiniCluster's missing log file and delegation tokens, and the checkpoints a
 * bounded job declines while its tasks close (its final checkpoint still commits the output; a
 * phase whose outputs were not committed fails its in = out check).
 */
final class QuietLogs {

    private QuietLogs() {}

    static void apply() {
        Configurator.setLevel("org.apache.flink.runtime.webmonitor.WebMonitorUtils", Level.ERROR);
        Configurator.setLevel("org.apache.flink.runtime.security.token.DefaultDelegationTokenManager", Level.ERROR);
        Configurator.setLevel("org.apache.flink.runtime.checkpoint.CheckpointFailureManager", Level.ERROR);
    }
}
