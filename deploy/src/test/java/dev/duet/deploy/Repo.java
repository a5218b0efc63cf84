package dev.duet.deploy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import dev.duet.job.JobOptions;
import org.apache.flink.configuration.ConfigOption;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Where the checked files are, and the two sides they must agree with: the job and the worker. */
final class Repo {

    private Repo() {}

    static Path root() {
        String root = System.getProperty("duet.root");
        if (root == null) {
            throw new IllegalStateException("system property duet.root is not set (the deploy module's POM sets it)");
        }
        return Path.of(root).toAbsolutePath().normalize();
    }

    static Path docker() {
        return root().resolve("docker");
    }

    static Path k8s() {
        return root().resolve("deploy/k8s");
    }

    static String property(String name) {
        String v = System.getProperty(name);
        if (v == null) {
            throw new IllegalStateException("system property " + name + " is not set (the deploy module's POM sets it)");
        }
        return v;
    }

    /** The image tag: the project version without -SNAPSHOT. */
    static String imageTag() {
        return property("duet.version").replace("-SNAPSHOT", "");
    }

    // --- the job

    /** Every public static ConfigOption of dev.duet.job.JobOptions, by key (read by reflection). */
    static Map<String, ConfigOption<?>> jobOptions() {
        Map<String, ConfigOption<?>> byKey = new LinkedHashMap<>();
        for (Field f : JobOptions.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                try {
                    ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                    byKey.put(o.key(), o);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return byKey;
    }

    /** The job's default topic names: every option under topics.*. */
    static TreeSet<String> jobTopics() {
        return jobOptions().values().stream().filter(o -> o.key().startsWith("topics."))
                .map(o -> (String) o.defaultValue()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** --key value pairs of a job command line, keys without the dashes; fails on anything else. */
    static Map<String, String> jobArgs(List<?> args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            String key = String.valueOf(args.get(i));
            if (!key.startsWith("--") || i + 1 >= args.size()) {
                throw new AssertionError("job arguments must be --KEY VALUE pairs, got " + args);
            }
            out.put(key.substring(2), String.valueOf(args.get(i + 1)));
        }
        return out;
    }

    // --- the worker

    /** The `worker` command's picocli spec, from the worker's real command classes. */
    static CommandSpec workerSpec() {
        CommandLine main = new CommandLine(new dev.duet.worker.cli.Main());
        CommandLine worker = main.getSubcommands().get("worker");
        if (worker == null) {
            throw new AssertionError("the worker CLI has no 'worker' command");
        }
        return worker.getCommandSpec();
    }

    /** Parses worker arguments with the worker's own picocli model: unknown options or bad values fail. */
    static CommandLine.ParseResult parseWorker(List<?> args) {
        List<String> all = new ArrayList<>();
        all.add("worker");
        args.forEach(a -> all.add(String.valueOf(a)));
        CommandLine main = new CommandLine(new dev.duet.worker.cli.Main());
        return main.parseArgs(all.toArray(String[]::new)).subcommand();
    }

    /** The value a parse result holds for an option, or its declared default. */
    static String workerOption(CommandLine.ParseResult parsed, String name) {
        OptionSpec option = parsed.commandSpec().findOption(name);
        if (option == null) {
            throw new AssertionError("the worker has no option " + name);
        }
        if (parsed.hasMatchedOption(name)) {
            return String.valueOf(parsed.matchedOptionValue(name, (Object) null));
        }
        return option.defaultValue();
    }
}
