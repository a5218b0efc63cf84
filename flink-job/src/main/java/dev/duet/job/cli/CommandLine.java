package dev.duet.job.cli;

import dev.duet.job.JobOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.HtmlFormatter;

/**
 * Options of the job command: {@code --KEY VALUE} for every {@link JobOptions} key, plus short
 * aliases for the common ones ({@code --bootstrap}, {@code --workers}, {@code --model}, ...).
 */
public final class CommandLine {

    static final Map<String, ConfigOption<?>> ALIASES = Map.ofEntries(
            Map.entry("bootstrap", JobOptions.BOOTSTRAP),
            Map.entry("workers", JobOptions.WORKERS),
            Map.entry("model", JobOptions.MODEL_PATH),
            Map.entry("parallelism", JobOptions.PARALLELISM),
            Map.entry("checkpoint-interval", JobOptions.CHECKPOINT_INTERVAL),
            Map.entry("bounded", JobOptions.BOUNDED),
            Map.entry("budget", JobOptions.BUDGET_SHARE),
            Map.entry("catalog", JobOptions.CATALOG_SEED),
            Map.entry("web-port", JobOptions.WEB_PORT),
            Map.entry("fresh", JobOptions.FRESH),
            Map.entry("from-savepoint", JobOptions.FROM_SAVEPOINT));

    private CommandLine() {}

    /** Parses options into a configuration; throws IllegalArgumentException naming the bad option. */
    public static Configuration parse(List<String> args) {
        Map<String, ConfigOption<?>> byKey = new HashMap<>(ALIASES);
        for (ConfigOption<?> o : JobOptions.all()) {
            byKey.put(o.key(), o);
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "' (options are --KEY VALUE; --help lists them)");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            ConfigOption<?> option = byKey.get(name);
            if (option == null) {
                throw new IllegalArgumentException("unknown option --" + name + " (--help lists the options)");
            }
            if (value == null) {
                if ((option == JobOptions.BOUNDED || option == JobOptions.FRESH)
                        && (i + 1 == args.size() || args.get(i + 1).startsWith("--"))) {
                    value = "true";
                } else if (i + 1 == args.size()) {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                } else {
                    value = args.get(++i);
                }
            }
            values.put(option.key(), value);
        }
        Configuration config = Configuration.fromMap(values);
        for (ConfigOption<?> o : JobOptions.all()) {
            try {
                config.get(o);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad value for --" + o.key() + ": " + e.getMessage(), e);
            }
        }
        return config;
    }

    /** An option's description as plain text. */
    public static String describe(ConfigOption<?> option) {
        return new HtmlFormatter().format(option.description())
                .replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    /** The options with their defaults and descriptions. */
    public static String help() {
        StringBuilder s = new StringBuilder("Options (--KEY VALUE):\n");
        Map<String, String> aliasOf = new HashMap<>();
        ALIASES.forEach((alias, o) -> aliasOf.put(o.key(), alias));
        for (ConfigOption<?> o : JobOptions.all()) {
            String alias = aliasOf.containsKey(o.key()) ? " (--" + aliasOf.get(o.key()) + ")" : "";
            s.append("  --").append(o.key()).append(alias).append("  [default: ").append(o.defaultValue()).append("]\n      ")
                    .append(describe(o)).append('\n');
        }
        return s.toString();
    }
}
