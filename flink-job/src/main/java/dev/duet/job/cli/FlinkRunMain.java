package dev.duet.job.cli;

import dev.duet.job.JobRunner;
import java.util.Arrays;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Main class of the shaded job jar for {@code flink run duet-flink-job-*-job.jar [options]}: the
 * same options as {@code ./duet job}, on the cluster's environment (its state backend settings come
 * from the cluster's configuration unless given here).
 */
public final class FlinkRunMain {

    private FlinkRunMain() {}

    public static void main(String[] args) throws Exception {
        Configuration options;
        try {
            options = CommandLine.parse(Arrays.asList(args));
        } catch (IllegalArgumentException e) {
            System.err.println("duet job: " + e.getMessage());
            System.exit(2);
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobRunner.jobConfiguration(options));
        JobRunner.addKafkaJob(env, options);
        env.execute("duet");
    }
}
