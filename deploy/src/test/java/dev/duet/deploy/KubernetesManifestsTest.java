package dev.duet.deploy;

import static dev.duet.deploy.Yamls.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.job.JobOptions;
import dev.duet.proto.v1.LlmScorerGrpc;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The kustomize overlays build, and what they say matches the job and the worker: option keys,
 * ports, the gRPC health service name, topic names, images, and where state and models live.
 */
class KubernetesManifestsTest {

    private static final List<String> OVERLAYS = List.of("dev", "gpu");

    static List<Map<String, Object>> overlay(String name) {
        return Kustomize.build(Repo.k8s().resolve("overlays").resolve(name));
    }

    static Map<String, Object> one(List<Map<String, Object>> resources, String kind, String name) {
        List<Map<String, Object>> found = resources.stream()
                .filter(r -> kind.equals(r.get("kind")) && name.equals(Kustomize.metadata(r).get("name"))).toList();
        assertThat(found).as("%s/%s", kind, name).hasSize(1);
        return found.get(0);
    }

    static List<Map<String, Object>> all(List<Map<String, Object>> resources, String kind) {
        return resources.stream().filter(r -> kind.equals(r.get("kind"))).toList();
    }

    static Map<String, Object> workerContainer(List<Map<String, Object>> resources) {
        Map<String, Object> deployment = one(resources, "Deployment", "duet-llm-worker");
        List<Map<String, Object>> containers = at(deployment, "spec", "template", "spec", "containers");
        return containers.stream().filter(c -> "worker".equals(c.get("name"))).findFirst().orElseThrow();
    }

    @Test
    void baseAndOverlaysBuild() {
        List<Map<String, Object>> base = Kustomize.build(Repo.k8s().resolve("base"));
        assertThat(base.stream().map(r -> (String) r.get("kind")).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("PersistentVolumeClaim", "FlinkDeployment", "PodMonitor", "Deployment",
                        "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor", "NetworkPolicy",
                        "KafkaTopic");
        for (String name : OVERLAYS) {
            List<Map<String, Object>> resources = overlay(name);
            String namespace = name.equals("dev") ? "duet-dev" : "duet";
            assertThat(resources).allSatisfy(r -> {
                assertThat(Kustomize.metadata(r).get("namespace")).as("namespace of %s", r.get("kind")).isEqualTo(namespace);
                assertThat(at(r, "metadata", "labels", "app.kubernetes.io/part-of").toString()).isEqualTo("duet");
                assertThat(at(r, "metadata", "labels", "duet.dev/environment").toString()).isEqualTo(name);
            });
        }
    }

    @Test
    void everyTopicOfTheJobHasAKafkaTopicAndNoOther() {
        for (String name : OVERLAYS) {
            List<Map<String, Object>> topics = all(overlay(name), "KafkaTopic");
            TreeSet<String> names = topics.stream().map(t -> (String) at(t, "spec", "topicName"))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(names).isEqualTo(Repo.jobTopics())
                    .contains("interactions", "requests", "items", "duet-control", "recommendations", "dead-letters");
            for (Map<String, Object> t : topics) {
                assertThat(at(t, "metadata", "labels", "strimzi.io/cluster").toString()).isEqualTo("duet-kafka");
                int replicas = at(t, "spec", "replicas");
                int minIsr = Integer.parseInt(at(t, "spec", "config", "min.insync.replicas").toString());
                assertThat(minIsr).isBetween(1, replicas);
                assertThat(replicas).isEqualTo(name.equals("dev") ? 1 : 3);
            }
            // The model hot-swap commands must stay in order.
            assertThat(topics).filteredOn(t -> "duet-control".equals(at(t, "spec", "topicName")))
                    .allSatisfy(t -> assertThat((int) at(t, "spec", "partitions")).isEqualTo(1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void flinkDeploymentRunsTheJobWithItsRealOptions(String name) {
        List<Map<String, Object>> resources = overlay(name);
        Map<String, Object> flink = one(resources, "FlinkDeployment", "duet-job");
        Map<String, Object> job = at(flink, "spec", "job");

        assertThat(job.get("entryClass")).isEqualTo(dev.duet.job.cli.FlinkRunMain.class.getName());
        assertThat(job.get("jarURI")).isEqualTo("local:///opt/flink/usrlib/duet-flink-job.jar");
        assertThat(job.get("upgradeMode")).isEqualTo("savepoint");
        assertThat(at(flink, "spec", "image").toString()).isEqualTo("duet-job:" + Repo.imageTag());
        assertThat(at(flink, "spec", "flinkVersion").toString()).isEqualTo("v" + Repo.property("flink.version")
                .replaceAll("^(\\d+)\\.(\\d+).*", "$1_$2"));

        Map<String, String> args = Repo.jobArgs(at(job, "args"));
        Map<String, ConfigOption<?>> options = Repo.jobOptions();
        assertThat(options.keySet()).as("keys of dev.duet.job.JobOptions").containsAll(args.keySet());
        // The job's own parser accepts them (types, durations).
        Configuration parsed = dev.duet.job.cli.CommandLine.parse(at(job, "args"));
        Map<String, String> conf = at(flink, "spec", "flinkConfiguration");

        // Parallelism and checkpoints come from the cluster (spec.job.parallelism, flinkConfiguration):
        // job options would override them, so the manifests leave them out.
        assertThat(parsed.getOptional(JobOptions.CHECKPOINT_DIR)).isEmpty();
        assertThat(parsed.getOptional(JobOptions.CHECKPOINT_INTERVAL)).isEmpty();
        assertThat(parsed.getOptional(JobOptions.PARALLELISM)).isEmpty();
        int parallelism = ((Number) job.get("parallelism")).intValue();
        assertThat(java.time.Duration.parse("PT" + conf.get("execution.checkpointing.interval").toUpperCase()))
                .isPositive();
        assertThat(conf).containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.incremental", "true")
                .containsEntry("high-availability.type", "kubernetes")
                .containsKeys("execution.checkpointing.savepoint-dir", "high-availability.storageDir");
        if (name.equals("gpu")) {
            assertThat(conf.get("execution.checkpointing.dir")).startsWith("s3://");
            assertThat(conf.get("execution.checkpointing.savepoint-dir")).startsWith("s3://");
        }

        // Slots: parallelism fits in whole TaskManagers.
        int slots = Integer.parseInt(conf.get("taskmanager.numberOfTaskSlots"));
        assertThat(parallelism % slots).isZero();

        // The model file lies on a mounted volume of the Flink pods.
        List<Map<String, Object>> mounts = at(flink, "spec", "podTemplate", "spec", "containers", 0, "volumeMounts");
        String model = parsed.get(JobOptions.MODEL_PATH);
        assertThat(mounts).anySatisfy(m -> assertThat(model).startsWith(m.get("mountPath") + "/"));
        if (conf.get("execution.checkpointing.dir").startsWith("file://")) {
            String dir = conf.get("execution.checkpointing.dir").substring("file://".length());
            assertThat(mounts).anySatisfy(m -> assertThat(dir).startsWith(m.get("mountPath") + "/"));
        }

        // Workers: dns:///SERVICE:PORT names the headless worker Service and its gRPC port.
        String workers = parsed.get(JobOptions.WORKERS);
        assertThat(workers).matches("dns:///[a-z0-9-]+:\\d+");
        String service = workers.substring("dns:///".length(), workers.lastIndexOf(':'));
        int port = Integer.parseInt(workers.substring(workers.lastIndexOf(':') + 1));
        Map<String, Object> svc = one(resources, "Service", service);
        assertThat(at(svc, "spec", "clusterIP").toString()).isEqualTo("None");
        List<Map<String, Object>> svcPorts = at(svc, "spec", "ports");
        assertThat(svcPorts).anySatisfy(p -> {
            assertThat(p.get("port")).isEqualTo(port);
            assertThat(p.get("name")).isEqualTo("grpc");
        });
        CommandLine.ParseResult worker = Repo.parseWorker(at(workerContainer(resources), "args"));
        assertThat(Integer.parseInt(Repo.workerOption(worker, "--port"))).isEqualTo(port);

        // Kafka: in dev the Strimzi cluster is part of the overlay; its bootstrap Service is what the job names.
        if (name.equals("dev")) {
            Map<String, Object> kafka = one(resources, "Kafka", "duet-kafka");
            List<Map<String, Object>> listeners = at(kafka, "spec", "kafka", "listeners");
            assertThat(listeners.get(0).get("tls")).isEqualTo(false);
            assertThat(parsed.get(JobOptions.BOOTSTRAP)).isEqualTo("duet-kafka-kafka-bootstrap:" + listeners.get(0).get("port"));
            assertThat(parsed.get(JobOptions.CLIENT_PROPERTIES)).isEmpty();
        } else {
            // The cluster's TLS listener with SCRAM logins (SecureTransportManifestsTest checks the settings).
            assertThat(parsed.get(JobOptions.BOOTSTRAP)).isEqualTo("duet-kafka-kafka-bootstrap:9093");
            assertThat(parsed.get(JobOptions.CLIENT_PROPERTIES)).isNotEmpty();
        }
    }

    /** Every file an argument names, the job's or a worker's, is on a volume mounted in that container. */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void everyFileAnArgumentNamesIsOnAMountedVolume(String name) {
        List<Map<String, Object>> resources = overlay(name);
        Map<String, Object> flink = one(resources, "FlinkDeployment", "duet-job");
        Map<String, String> jobArgs = Repo.jobArgs(at(flink, "spec", "job", "args"));
        Map<String, ConfigOption<?>> options = Repo.jobOptions();
        List<Map<String, Object>> flinkMounts = at(flink, "spec", "podTemplate", "spec", "containers", 0, "volumeMounts");
        int files = 0;
        for (Map.Entry<String, String> arg : jobArgs.entrySet()) {
            assertThat(options).as("job option --%s", arg.getKey()).containsKey(arg.getKey());
            if (arg.getValue().startsWith("/")) {
                assertThat(flinkMounts).as("--%s %s", arg.getKey(), arg.getValue())
                        .anySatisfy(m -> assertThat(arg.getValue()).startsWith(m.get("mountPath") + "/"));
                files++;
            }
        }
        assertThat(files).isEqualTo(name.equals("dev") ? 1 : 3); // the model; gpu: client properties, workers' CA

        Map<String, Object> worker = workerContainer(resources);
        List<String> workerArgs = at(worker, "args");
        List<Map<String, Object>> workerMounts = at(worker, "volumeMounts");
        for (String value : workerArgs) {
            if (value.startsWith("/")) {
                assertThat(workerMounts).as("worker argument %s", value)
                        .anySatisfy(m -> assertThat(value).startsWith(m.get("mountPath") + "/"));
            }
        }
    }

    /** Flink 2 dropped many 1.x keys; every key we set must be one Flink 2.2 really reads. */
    @Test
    void flinkConfigurationKeysExistInFlink() throws Exception {
        Set<String> known = new HashSet<>();
        Set<String> deprecated = new HashSet<>();
        for (String cls : List.of("org.apache.flink.configuration.CheckpointingOptions",
                "org.apache.flink.configuration.StateBackendOptions",
                "org.apache.flink.configuration.HighAvailabilityOptions",
                "org.apache.flink.configuration.TaskManagerOptions",
                "org.apache.flink.configuration.JobManagerOptions",
                "org.apache.flink.configuration.RestartStrategyOptions",
                "org.apache.flink.configuration.MetricOptions",
                "org.apache.flink.state.rocksdb.RocksDBOptions")) {
            for (Field f : Class.forName(cls).getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                    ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                    known.add(o.key());
                    o.fallbackKeys().forEach(k -> deprecated.add(k.getKey()));
                }
            }
        }
        for (String name : OVERLAYS) {
            Map<String, Object> flink = one(overlay(name), "FlinkDeployment", "duet-job");
            Map<String, String> conf = at(flink, "spec", "flinkConfiguration");
            for (String key : conf.keySet()) {
                if (key.startsWith("kubernetes.operator.") || key.startsWith("metrics.reporter.")) {
                    continue; // the operator's own keys; reporter keys are per reporter name
                }
                assertThat(known).as("Flink option '%s' (%s overlay)", key, name).contains(key);
                assertThat(deprecated).as("deprecated Flink key '%s'", key).doesNotContain(key);
            }
            assertThat(conf.get("metrics.reporter.prom.port")).isEqualTo("9249");
            List<Map<String, Object>> ports = at(flink, "spec", "podTemplate", "spec", "containers", 0, "ports");
            assertThat(ports).anySatisfy(p -> {
                assertThat(p.get("name")).isEqualTo("metrics");
                assertThat(p.get("containerPort")).isEqualTo(9249);
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "gpu"})
    void workerDeploymentUsesTheWorkersRealOptionsAndPorts(String name) {
        List<Map<String, Object>> resources = overlay(name);
        Map<String, Object> container = workerContainer(resources);
        List<String> args = at(container, "args");

        Set<String> known = new HashSet<>();
        Repo.workerSpec().options().forEach(o -> known.addAll(List.of(o.names())));
        args.stream().filter(a -> a.startsWith("--")).forEach(a -> assertThat(known).as("worker option").contains(a));
        CommandLine.ParseResult parsed = Repo.parseWorker(args);

        int grpc = Integer.parseInt(Repo.workerOption(parsed, "--port"));
        int metrics = Integer.parseInt(Repo.workerOption(parsed, "--metrics-port"));
        assertThat(grpc).isEqualTo(50051);
        assertThat(metrics).isEqualTo(9464);
        assertThat(Repo.workerOption(parsed, "--host")).isEqualTo("0.0.0.0");

        List<Map<String, Object>> ports = at(container, "ports");
        assertThat(ports).extracting(p -> p.get("name") + ":" + p.get("containerPort"))
                .containsExactlyInAnyOrder("grpc:" + grpc, "metrics:" + metrics);

        // Probes: Kubernetes' gRPC probes on the gRPC port; readiness asks for the scoring service by
        // name. They cannot speak TLS: a TLS worker has exec probes (SecureTransportManifestsTest).
        if (!parsed.hasMatchedOption("--tls-cert")) {
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                assertThat((int) at(container, probe, "grpc", "port")).as(probe).isEqualTo(grpc);
            }
            assertThat(at(container, "readinessProbe", "grpc", "service").toString()).isEqualTo(LlmScorerGrpc.SERVICE_NAME);
        } else {
            assertThat(name).isEqualTo("gpu");
        }

        // Shutdown: the pod's grace period covers the worker's drain plus the preStop pause.
        int grace = ((Number) at(one(resources, "Deployment", "duet-llm-worker"), "spec", "template", "spec",
                "terminationGracePeriodSeconds")).intValue();
        assertThat(grace).isGreaterThan(Integer.parseInt(Repo.workerOption(parsed, "--shutdown-grace-s")) + 5);

        // ONNX Runtime threads never exceed the CPUs the pod asked for.
        double cpus = Double.parseDouble(at(container, "resources", "requests", "cpu").toString());
        assertThat(Integer.parseInt(Repo.workerOption(parsed, "--threads"))).isBetween(1, (int) cpus);

        // Service and ServiceMonitor: metrics port by name, through to the container.
        Map<String, Object> svc = one(resources, "Service", "duet-llm-worker");
        List<Map<String, Object>> svcPorts = at(svc, "spec", "ports");
        assertThat(svcPorts).extracting(p -> p.get("name") + ":" + p.get("port") + "->" + p.get("targetPort"))
                .containsExactlyInAnyOrder("grpc:" + grpc + "->grpc", "metrics:" + metrics + "->metrics");
        Map<String, Object> monitor = one(resources, "ServiceMonitor", "duet-llm-worker");
        assertThat(at(monitor, "spec", "endpoints", 0, "port").toString()).isEqualTo("metrics");
        assertThat(at(monitor, "spec", "endpoints", 0, "path").toString()).isEqualTo("/metrics");
        Map<String, Object> selector = at(svc, "spec", "selector");
        assertThat((Map<String, Object>) at(monitor, "spec", "selector", "matchLabels")).isEqualTo(selector);
        assertThat((Map<String, Object>) at(one(resources, "Deployment", "duet-llm-worker"), "spec", "template", "metadata", "labels"))
                .containsAllEntriesOf(selector);
        assertThat((Map<String, Object>) at(one(resources, "PodDisruptionBudget", "duet-llm-worker"), "spec", "selector", "matchLabels"))
                .isEqualTo(selector);
        Map<String, Object> hpa = one(resources, "HorizontalPodAutoscaler", "duet-llm-worker");
        assertThat(at(hpa, "spec", "scaleTargetRef", "name").toString()).isEqualTo("duet-llm-worker");

        // Models come from the volume, read-only; no file of the repository carries a model.
        List<Map<String, Object>> mounts = at(container, "volumeMounts");
        assertThat(mounts).anySatisfy(m -> {
            assertThat(m.get("mountPath")).isEqualTo("/models");
            assertThat(m.get("readOnly")).isEqualTo(true);
        });

        if (name.equals("gpu")) {
            assertThat(container.get("image")).isEqualTo("duet-llm-worker:" + Repo.imageTag() + "-cuda");
            assertThat(Repo.workerOption(parsed, "--device")).isEqualTo("cuda");
            assertThat(Repo.workerOption(parsed, "--backend")).isEqualTo("causal-lm");
            assertThat(Repo.workerOption(parsed, "--model")).startsWith("/models/");
            assertThat(at(container, "resources", "limits", "nvidia.com/gpu").toString()).isEqualTo("1");
            assertThat(at(container, "resources", "requests", "nvidia.com/gpu").toString()).isEqualTo("1");
            // Scales on the worker's own queue-depth metric.
            assertThat(at(hpa, "spec", "metrics", 0, "pods", "metric", "name").toString())
                    .isEqualTo("duet_worker_queue_depth");
            assertThat(new TreeSet<>(((Map<String, Object>) at(hpa, "spec")).keySet())).contains("metrics");
            assertThat((List<?>) at(hpa, "spec", "metrics")).hasSize(1);
        } else {
            assertThat(container.get("image")).isEqualTo("duet-llm-worker:" + Repo.imageTag());
            assertThat(Repo.workerOption(parsed, "--device")).isEqualTo("cpu");
            assertThat(at(hpa, "spec", "metrics", 0, "resource", "name").toString()).isEqualTo("cpu");
            assertThat((Map<String, Object>) at(container, "resources", "limits")).doesNotContainKey("nvidia.com/gpu");
            Map<String, Object> pdb = at(one(resources, "PodDisruptionBudget", "duet-llm-worker"), "spec");
            assertThat(pdb).doesNotContainKey("minAvailable").containsEntry("maxUnavailable", 1);
        }
    }

    @Test
    void networkPolicyLetsTheJobPodsReachTheWorkers() {
        List<Map<String, Object>> resources = overlay("gpu");
        Map<String, Object> policy = one(resources, "NetworkPolicy", "duet-llm-worker");
        // The operator labels the Flink pods app=<FlinkDeployment name>.
        String flinkName = (String) Kustomize.metadata(one(resources, "FlinkDeployment", "duet-job")).get("name");
        assertThat(at(policy, "spec", "ingress", 0, "from", 0, "podSelector", "matchLabels", "app").toString()).isEqualTo(flinkName);
        assertThat((int) at(policy, "spec", "ingress", 0, "ports", 0, "port")).isEqualTo(50051);
        assertThat(at(one(resources, "PodMonitor", "duet-job"), "spec", "selector", "matchLabels", "app").toString())
                .isEqualTo(flinkName);
    }

    @Test
    void secretsComeFromKubernetesSecretsOnly() {
        for (String name : OVERLAYS) {
            List<Map<String, Object>> resources = overlay(name);
            assertThat(resources).noneMatch(r -> "Secret".equals(r.get("kind")));
            Map<String, Object> flink = one(resources, "FlinkDeployment", "duet-job");
            Map<String, Object> container = at(flink, "spec", "podTemplate", "spec", "containers", 0);
            List<Map<String, Object>> env = (List<Map<String, Object>>) container.getOrDefault("env", List.of());
            for (Map<String, Object> e : env) {
                assertThat(e).as("env %s", e.get("name")).doesNotContainKey("value");
                assertThat(at(e, "valueFrom", "secretKeyRef", "name").toString()).isEqualTo("duet-object-storage");
            }
            if (name.equals("gpu")) {
                assertThat(env).extracting(e -> e.get("name")).containsExactlyInAnyOrder("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
            }
        }
    }

    /**
     * Every Secret the manifests read has a maker: cert-manager (a Certificate's secretName), Strimzi
     * (a KafkaUser's own name, its cluster's CA certificate), or a person following docs/deploy.md,
     * which then shows the `kubectl create secret` command for it.
     */
    @Test
    void everySecretTheManifestsReadHasAMaker() throws IOException {
        String guide = Files.readString(Repo.root().resolve("docs/deploy.md"));
        Set<String> byHand = new TreeSet<>();
        for (String name : OVERLAYS) {
            List<Map<String, Object>> resources = overlay(name);
            Set<String> made = new HashSet<>();
            all(resources, "Certificate").forEach(c -> made.add(at(c, "spec", "secretName")));
            for (Map<String, Object> user : all(resources, "KafkaUser")) {
                made.add((String) Kustomize.metadata(user).get("name"));
                made.add(at(user, "metadata", "labels", "strimzi.io/cluster") + "-cluster-ca-cert");
            }
            Set<String> read = new TreeSet<>();
            resources.forEach(r -> secretsRead(r, read));
            assertThat(read).as("Secrets read in %s", name).isEqualTo(name.equals("dev") ? Set.of()
                    : Set.of("duet-object-storage", "duet-job", "duet-kafka-cluster-ca-cert", "duet-llm-worker-tls", "duet-ca"));
            for (String secret : read) {
                if (!made.contains(secret)) {
                    byHand.add(secret);
                    assertThat(guide).as("docs/deploy.md creates Secret %s (%s overlay)", secret, name)
                            .containsPattern("kubectl -n \\S+ create secret \\S+ " + secret + "\\b");
                }
            }
        }
        assertThat(byHand).containsExactly("duet-object-storage");
    }

    /** Names of Secrets a resource reads: secret volumes, secretKeyRef, secretRef, a CA Issuer's secret. */
    @SuppressWarnings("unchecked")
    private static void secretsRead(Object node, Set<String> into) {
        if (node instanceof Map<?, ?> m) {
            if (m.get("secret") instanceof Map<?, ?> volume && volume.get("secretName") != null) {
                into.add((String) volume.get("secretName"));
            }
            for (String ref : List.of("secretKeyRef", "secretRef")) {
                if (m.get(ref) instanceof Map<?, ?> r) {
                    into.add((String) r.get("name"));
                }
            }
            if (m.get("ca") instanceof Map<?, ?> ca && ca.get("secretName") != null) {
                into.add((String) ca.get("secretName"));
            }
            m.values().forEach(v -> secretsRead(v, into));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> secretsRead(v, into));
        }
    }

    static Path path(String first, String... more) {
        return Repo.k8s().resolve(Path.of(first, more));
    }
}
