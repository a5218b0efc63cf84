package dev.duet.deploy;

import static dev.duet.deploy.Yamls.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.job.JobOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** docker/compose.yaml: the services it promises, and options, topics and ports the code really has. */
class ComposeTest {

    static Map<String, Object> compose() {
        return Yamls.loadOne(Repo.docker().resolve("compose.yaml"));
    }

    static Map<String, Object> service(String name) {
        return at(compose(), "services", name);
    }

    @Test
    void hasEveryServiceAndBindsPortsToLoopbackOnly() {
        Map<String, Object> services = at(compose(), "services");
        assertThat(services).containsOnlyKeys("kafka", "kafka-topics", "worker-1", "worker-2", "jobmanager",
                "taskmanager", "demo-events");
        services.forEach((name, s) -> {
            Object ports = ((Map<?, ?>) s).get("ports");
            for (Object port : ports == null ? List.of() : (List<?>) ports) {
                assertThat(port.toString()).as("port of %s", name).startsWith("127.0.0.1:");
            }
        });
        assertThat(at(service("kafka"), "image").toString()).isEqualTo("apache/kafka:" + Repo.property("kafka.version"));
        Map<String, Object> kafkaEnv = at(service("kafka"), "environment");
        assertThat(kafkaEnv.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller"); // KRaft, no ZooKeeper
    }

    @Test
    void createsExactlyTheJobsTopics() {
        List<String> command = at(service("kafka-topics"), "command");
        List<String> specs = command.subList(command.indexOf("kafka:19092") + 1, command.size());
        TreeSet<String> topics = specs.stream().filter(a -> a.matches("[a-z-]+:\\d+(:.*)?"))
                .map(a -> a.substring(0, a.indexOf(':'))).collect(Collectors.toCollection(TreeSet::new));
        assertThat(topics).isEqualTo(Repo.jobTopics());
        assertThat(command).contains("duet-control:1");
    }

    @Test
    void jobManagerStartsTheJobWithItsRealOptions() {
        List<String> command = at(service("jobmanager"), "command");
        assertThat(command.subList(0, 3)).containsExactly("standalone-job", "--job-classname",
                dev.duet.job.cli.FlinkRunMain.class.getName());
        List<String> jobArgs = command.subList(3, command.size());
        assertThat(Repo.jobOptions().keySet()).containsAll(Repo.jobArgs(jobArgs).keySet());
        Configuration parsed = dev.duet.job.cli.CommandLine.parse(jobArgs);

        // Kafka: the broker's internal listener.
        String internal = ((String) at(service("kafka"), "environment", "KAFKA_ADVERTISED_LISTENERS")).split(",")[0];
        assertThat(parsed.get(JobOptions.BOOTSTRAP)).isEqualTo(internal.substring(internal.indexOf("//") + 2));

        // Workers: both compose workers, at the port their own options give.
        List<String> workers = List.of(parsed.get(JobOptions.WORKERS).split(","));
        assertThat(workers).hasSize(2);
        for (String w : workers) {
            String name = w.substring(0, w.indexOf(':'));
            CommandLine.ParseResult worker = Repo.parseWorker(at(service(name), "command"));
            assertThat(w).isEqualTo(name + ":" + Repo.workerOption(worker, "--port"));
            assertThat(Repo.workerOption(worker, "--host")).isEqualTo("0.0.0.0");
            assertThat(Repo.workerOption(worker, "--metrics-port")).isEqualTo("9464");
            assertThat(at(service(name), "image").toString()).isEqualTo("duet-llm-worker:" + Repo.imageTag());
        }

        // The model and the checkpoints are on mounted volumes, the same for both Flink containers.
        for (String flink : List.of("jobmanager", "taskmanager")) {
            List<String> volumes = at(service(flink), "volumes");
            List<String> targets = new ArrayList<>();
            // ${VAR:-default} sources hold colons of their own.
            volumes.forEach(v -> targets.add(v.replaceAll("\\$\\{[^}]*}", "SRC").split(":")[1]));
            assertThat(parsed.get(JobOptions.MODEL_PATH)).startsWith(targets.get(0) + "/");
            // Checkpoints where the cluster's settings say (the job's options would override them).
            assertThat((String) at(service(flink), "environment", "FLINK_PROPERTIES"))
                    .contains("execution.checkpointing.dir: file://" + targets.get(1) + "/checkpoints")
                    .contains("execution.checkpointing.interval: 10s")
                    .contains("parallelism.default: 2");
            assertThat(at(service(flink), "image").toString()).isEqualTo("duet-job:" + Repo.imageTag());
        }
        assertThat(parsed.getOptional(JobOptions.PARALLELISM)).isEmpty();
        assertThat(parsed.getOptional(JobOptions.CHECKPOINT_DIR)).isEmpty();
        assertThat(parsed.getOptional(JobOptions.CHECKPOINT_INTERVAL)).isEmpty();
        assertThat((String) at(service("taskmanager"), "environment", "FLINK_PROPERTIES"))
                .contains("taskmanager.numberOfTaskSlots: 2");
    }

    @Test
    void demoProducerRunsAfterTheTopicsExist() {
        Map<String, Object> demo = service("demo-events");
        assertThat(at(demo, "depends_on", "kafka-topics", "condition").toString()).isEqualTo("service_completed_successfully");
        List<String> command = at(demo, "command");
        assertThat(command).contains("/duet/produce-demo-events.sh", "kafka:19092");
    }
}
