package dev.duet.jobjar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A Flink standalone session cluster on 127.0.0.1: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and a TaskManager ({@code TaskManagerRunner}), each
 * in its own JVM, started the way Flink's {@code jobmanager.sh} and {@code taskmanager.sh} start
 * them: a configuration folder with {@code config.yaml}, JVM memory flags and dynamic properties
 * derived from it by Flink's own process utilities (what {@code BashJavaUtils} prints for the
 * scripts), log4j writing to files. The class path is Flink's jars as a distribution's
 * {@code lib/} holds them (flink-dist is not on this build's Maven mirror; the provided class
 * path of the job jar's module is the same set of artifacts).
 */
final class StandaloneCluster implements AutoCloseable {

    /** {@code env.java.opts.all} of Flink 2.2's {@code flink-dist/src/main/resources/config.yaml}. */
    private static final String JAVA_17_OPTIONS = String.join(" ",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final Path home;
    private final int restPort;
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    private StandaloneCluster(Path home, int restPort) {
        this.home = home;
        this.restPort = restPort;
    }

    /**
     * Writes the configuration and starts both JVMs; returns at once (see {@link #awaitReady}).
     * {@code settings} are added to (and override) the cluster's base settings.
     */
    static StandaloneCluster start(Path home, String classpath, Map<String, String> settings) throws IOException {
        int restPort = freePort();
        Path conf = Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("log"));
        Map<String, String> c = new LinkedHashMap<>();
        // As the distribution's own conf/config.yaml has it, for Java 17; the scripts pass it to every JVM.
        c.put("env.java.opts.all", JAVA_17_OPTIONS);
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", Integer.toString(freePort()));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(restPort));
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("blob.server.bind-host", "127.0.0.1");
        // Small JVMs: two of them next to the test's broker on a 2-core CI machine.
        c.put("jobmanager.memory.process.size", "768m");
        c.put("taskmanager.memory.framework.heap.size", "64m");
        c.put("taskmanager.memory.task.heap.size", "320m");
        c.put("taskmanager.memory.managed.size", "128m");
        c.put("taskmanager.memory.network.min", "48m");
        c.put("taskmanager.memory.network.max", "48m");
        c.put("taskmanager.memory.framework.off-heap.size", "64m");
        c.put("taskmanager.memory.task.off-heap.size", "64m");
        c.put("taskmanager.memory.jvm-metaspace.size", "256m");
        c.put("taskmanager.memory.jvm-overhead.min", "64m");
        c.put("taskmanager.memory.jvm-overhead.max", "64m");
        // A TaskManager that comes up before the JobManager's resource manager retries after this
        // (10 s by default: most of a test's start-up on a busy machine).
        c.put("cluster.registration.error-delay", "1 s");
        // Flink's 10 s defaults for starting the RPC system and for RPC answers were missed on a
        // 2-core machine busy with other builds (a JobManager gave up creating its actor system).
        c.put("pekko.startup-timeout", "60 s");
        c.put("pekko.ask.timeout", "60 s");
        c.put("restart-strategy.type", "none");
        c.put("web.upload.dir", home.resolve("upload").toString());
        c.put("io.tmp.dirs", Files.createDirectories(home.resolve("tmp")).toString());
        c.put("execution.checkpointing.dir", home.resolve("checkpoints").toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", home.resolve("savepoints").toUri().toString());
        c.putAll(settings);
        StringBuilder yaml = new StringBuilder();
        c.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml);
        Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = MainAppender",
                "appender.main.name = MainAppender",
                "appender.main.type = File",
                "appender.main.append = false",
                "appender.main.fileName = ${sys:log.file}",
                "appender.main.layout.type = PatternLayout",
                "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-50c{1.} - %m%n",
                // Kafka clients log every configuration they start with: noise here.
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                ""));

        // Read back as Flink reads it: a typo in a key or value fails here, not in a child's log.
        Configuration flink = GlobalConfiguration.loadConfiguration(conf.toString());
        StandaloneCluster cluster = new StandaloneCluster(home, restPort);
        // If the test JVM is ended (a build timeout, Ctrl-C) before close(), the cluster goes with it.
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "kill-flink-cluster"));
        try {
            JobManagerProcessSpec jm = JobManagerProcessUtils.processSpecFromConfig(flink);
            String javaOptions = flink.get(CoreOptions.FLINK_JVM_OPTIONS);
            cluster.startJvm("jobmanager", classpath, javaOptions + " " + JobManagerProcessUtils.generateJvmParametersStr(jm, flink),
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                    JobManagerProcessUtils.generateDynamicConfigsStr(jm));
            TaskExecutorProcessSpec tm = TaskExecutorProcessUtils.processSpecFromConfig(flink);
            cluster.startJvm("taskmanager", classpath, javaOptions + " " + ProcessMemoryUtils.generateJvmParametersStr(tm),
                    "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                    TaskExecutorProcessUtils.generateDynamicConfigsStr(tm));
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void startJvm(String name, String classpath, String jvmMemory, String mainClass, String dynamicConfig)
            throws IOException {
        Path log = home.resolve("log").resolve(name + ".log");
        Path out = home.resolve("log").resolve(name + ".out");
        logs.add(log);
        logs.add(out);
        logs.add(home.resolve("log").resolve(name + "-hs_err.log"));
        names.add(name);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(split(jvmMemory));
        command.add("-XX:+UseSerialGC"); // two cores: no parallel GC threads fighting the test's
        command.add("-XX:ErrorFile=" + home.resolve("log").resolve(name + "-hs_err.log")); // a crash, where logTails looks
        command.add("-Dlog.file=" + log);
        command.add("-Dlog4j.configurationFile=" + home.resolve("conf/log4j.properties").toUri());
        command.add("-classpath");
        command.add(classpath);
        command.add(mainClass);
        command.add("--configDir");
        command.add(home.resolve("conf").toString());
        command.addAll(split(dynamicConfig)); // "-D key=value" pairs, as the scripts pass them
        processes.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start());
    }

    /**
     * {@code flink run ARGS} as Flink's {@code bin/flink} runs it: {@code CliFrontend} with the
     * cluster's configuration folder as {@code FLINK_CONF_DIR}, so the client reads the cluster's
     * address and defaults from the same {@code config.yaml}. Returns what it printed; fails on a
     * non-zero exit or after {@code timeout}.
     */
    String flinkRun(String classpath, List<String> args, Duration timeout) throws Exception {
        Path conf = home.resolve("conf");
        Path out = home.resolve("log").resolve("client-" + System.nanoTime() + ".out");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(split(GlobalConfiguration.loadConfiguration(conf.toString()).get(CoreOptions.FLINK_JVM_OPTIONS)));
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-Dlog.file=" + home.resolve("log").resolve("client.log"));
        command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        command.add("-classpath");
        command.add(classpath);
        command.add("org.apache.flink.client.cli.CliFrontend");
        command.add("run");
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("FLINK_CONF_DIR", conf.toString());
        Process client = builder.start();
        try {
            if (!client.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("flink run did not end within " + timeout + ": " + Files.readString(out));
            }
        } finally {
            client.destroyForcibly();
        }
        String printed = Files.readString(out);
        if (client.exitValue() != 0) {
            throw new IllegalStateException("flink run exited with " + client.exitValue() + ": " + printed);
        }
        return printed;
    }

    private static List<String> split(String flags) {
        List<String> out = new ArrayList<>();
        for (String s : flags.trim().split("\\s+")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    Path checkpointDir() {
        return home.resolve("checkpoints");
    }

    /**
     * Waits until the REST API answers and {@code slots} task slots are registered; fails at once
     * when a JVM exits.
     */
    void awaitReady(int slots, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a cluster JVM exited with " + p.exitValue() + " while starting; " + logTails());
                }
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(restUrl() + "/overview"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200 && last.contains("\"slots-total\":" + slots + ",")) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("cluster not ready with " + slots + " slots within " + timeout + " (last: " + last + "); "
                + logTails());
    }

    /** The last lines of every JVM's log and output, for a failure message. */
    String logTails() {
        StringBuilder s = new StringBuilder("cluster JVMs:");
        for (int i = 0; i < processes.size(); i++) {
            Process p = processes.get(i);
            s.append(' ').append(names.get(i)).append(p.isAlive() ? " running" : " exited with " + p.exitValue()).append(';');
        }
        s.append(" logs:");
        for (Path log : logs) {
            s.append("\n===== ").append(log).append('\n');
            try {
                if (!Files.exists(log)) {
                    s.append("(none)\n");
                    continue;
                }
                List<String> lines = Files.readAllLines(log);
                lines.subList(Math.max(0, lines.size() - 150), lines.size()).forEach(l -> s.append(l).append('\n'));
            } catch (IOException | UncheckedIOException e) {
                s.append("(unreadable: ").append(e).append(")\n");
            }
        }
        return s.toString();
    }

    /** Copies the JVMs' logs to {@code target} (the temporary folder goes with the test). */
    void keepLogs(Path target) {
        try {
            Files.createDirectories(target);
            try (var files = Files.list(home.resolve("log"))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, target.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            System.err.println("could not keep the cluster's logs in " + target + ": " + e);
        }
    }

    /** Kills both JVMs (forcibly: nothing of a test cluster is worth a graceful stop) and waits for them. */
    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    System.err.println("cluster JVM " + p.pid() + " still alive 30 s after being killed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
