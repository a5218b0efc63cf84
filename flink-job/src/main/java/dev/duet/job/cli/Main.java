package dev.duet.job.cli;

import dev.duet.job.JobOptions;
import dev.duet.job.JobRunner;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of {@code ./duet job}: receives the whole command line, command first. {@code job
 * --bootstrap HOST:PORT --workers HOST:PORT,... --model PATH [...]} runs the job on a local
 * MiniCluster with the Flink dashboard against an existing Kafka. Errors: one line on stderr,
 * non-zero exit.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command; returns the exit code. */
    public static int run(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println("Usage: job [options]   (runs the streaming job on a local MiniCluster)\n\n" + CommandLine.help());
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            switch (command) {
                case "job":
                    if (rest.contains("--help") || rest.contains("-h")) {
                        System.out.println("Usage: job [options]\n\n" + CommandLine.help());
                        return 0;
                    }
                    return runLocal(CommandLine.parse(rest));
                default:
                    System.err.println("duet: unknown command '" + command + "' for the streaming job (available: job)");
                    return 2;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("duet " + command + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("duet " + command + ": " + rootMessage(e));
            return 1;
        }
    }

    private static int runLocal(Configuration options) throws Exception {
        JobRunner.validate(options);
        Configuration flink = JobRunner.flinkConfiguration(options);
        Resume.apply(options, flink);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
        JobRunner.addKafkaJob(env, options);
        String logFile = System.getProperty("log.file");
        System.err.println("duet job: dashboard at http://127.0.0.1:" + options.get(JobOptions.WEB_PORT)
                + ", reading " + options.get(JobOptions.BOOTSTRAP) + (logFile == null ? "" : ", log in " + logFile));
        env.execute("duet");
        return 0;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.toString() : m.replace('\n', ' ');
    }
}
