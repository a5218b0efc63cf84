package dev.duet.deploy;

import static dev.duet.deploy.KubernetesManifestsTest.all;
import static dev.duet.deploy.KubernetesManifestsTest.one;
import static dev.duet.deploy.KubernetesManifestsTest.overlay;
import static dev.duet.deploy.KubernetesManifestsTest.workerContainer;
import static dev.duet.deploy.Yamls.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.job.JobOptions;
import dev.duet.job.kafka.KafkaIo;
import dev.duet.proto.v1.LlmScorerGrpc;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * components/secure as the gpu overlay uses it, against the job's and the worker's real code: the
 * KafkaUser's ACLs are the job's topics, group and transactional ids; the Kafka client settings hold
 * no secret, set nothing the job refuses, and start real Kafka clients with the Secrets laid out as
 * the kubelet mounts them; the workers' certificate names the host the job dials, and every file an
 * argument names is where a mounted Secret or ConfigMap puts it. The dev overlay stays plaintext.
 */
class SecureTransportManifestsTest {

    private static final Path COMPONENT = Repo.k8s().resolve("components/secure");
    private static final Pattern DIR_VARIABLE = Pattern.compile("\\$\\{dir:(/[^:}]+):([^:}]+)}");

    // --- where things are, read from a built overlay

    static Map<String, Object> flink(List<Map<String, Object>> resources) {
        return one(resources, "FlinkDeployment", "duet-job");
    }

    static Map<String, Object> flinkPodSpec(List<Map<String, Object>> resources) {
        return at(flink(resources), "spec", "podTemplate", "spec");
    }

    static Map<String, Object> flinkContainer(List<Map<String, Object>> resources) {
        return at(flink(resources), "spec", "podTemplate", "spec", "containers", 0);
    }

    static Map<String, Object> workerPodSpec(List<Map<String, Object>> resources) {
        return at(one(resources, "Deployment", "duet-llm-worker"), "spec", "template", "spec");
    }

    static Map<String, String> jobArgs(List<Map<String, Object>> resources) {
        return Repo.jobArgs(at(flink(resources), "spec", "job", "args"));
    }

    /** The volume whose mount in {@code container} holds {@code file}; fails when none does. */
    static Map<String, Object> volumeHolding(Map<String, Object> podSpec, Map<String, Object> container, String file) {
        List<Map<String, Object>> mounts = at(container, "volumeMounts");
        Map<String, Object> mount = mounts.stream()
                .filter(m -> file.startsWith(m.get("mountPath") + "/"))
                .findFirst().orElseThrow(() -> new AssertionError(file + " is on no volume mounted in " + container.get("name")));
        List<Map<String, Object>> volumes = at(podSpec, "volumes");
        return volumes.stream().filter(v -> v.get("name").equals(mount.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + mount.get("name")));
    }

    /** Where {@code container} mounts the Secret {@code secretName}; exactly one mount. */
    static String mountOfSecret(Map<String, Object> podSpec, Map<String, Object> container, String secretName) {
        List<Map<String, Object>> volumes = at(podSpec, "volumes");
        List<String> names = volumes.stream()
                .filter(v -> v.get("secret") instanceof Map<?, ?> s && secretName.equals(s.get("secretName")))
                .map(v -> (String) v.get("name")).toList();
        assertThat(names).as("volumes of Secret %s", secretName).hasSize(1);
        List<Map<String, Object>> mounts = at(container, "volumeMounts");
        List<Map<String, Object>> found = mounts.stream().filter(m -> names.get(0).equals(m.get("name"))).toList();
        assertThat(found).as("mounts of Secret %s in %s", secretName, container.get("name")).hasSize(1);
        assertThat(found.get(0).get("readOnly")).as("Secret %s mounted read-only", secretName).isEqualTo(true);
        return (String) found.get(0).get("mountPath");
    }

    /** The Secret the workers' --tls-cert comes from. */
    static String workerTlsSecret(List<Map<String, Object>> resources) {
        Map<String, Object> container = workerContainer(resources);
        String cert = Repo.workerOption(Repo.parseWorker(at(container, "args")), "--tls-cert");
        assertThat(cert).as("--tls-cert of the workers").isNotNull().isNotEqualTo("null");
        return at(volumeHolding(workerPodSpec(resources), container, cert), "secret", "secretName");
    }

    /** The cert-manager Certificate that fills the Secret {@code secretName}. */
    static Map<String, Object> certificateFor(List<Map<String, Object>> resources, String secretName) {
        List<Map<String, Object>> found = all(resources, "Certificate").stream()
                .filter(c -> secretName.equals(at(c, "spec", "secretName"))).toList();
        assertThat(found).as("Certificates writing Secret %s", secretName).hasSize(1);
        return found.get(0);
    }

    /** The host of the job's --llm.workers (dns:///HOST:PORT or HOST:PORT[,...]); one host. */
    static String workerHost(Map<String, String> jobArgs) {
        Set<String> hosts = new HashSet<>();
        for (String target : jobArgs.get(JobOptions.WORKERS.key()).split(",")) {
            String hostPort = target.startsWith("dns:///") ? target.substring("dns:///".length()) : target;
            hosts.add(hostPort.substring(0, hostPort.lastIndexOf(':')));
        }
        assertThat(hosts).as("hosts the job dials").hasSize(1);
        return hosts.iterator().next();
    }

    static Properties clientProperties() throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(COMPONENT.resolve("client.properties"), StandardCharsets.UTF_8)) {
            p.load(in);
        }
        return p;
    }

    /** Settings the job sets itself and refuses from the file: KafkaIo's own list, read by reflection. */
    @SuppressWarnings("unchecked")
    static Set<String> ownedByTheJob() throws ReflectiveOperationException {
        Field f = KafkaIo.class.getDeclaredField("OWNED_BY_THE_JOB");
        f.setAccessible(true);
        return (Set<String>) f.get(null);
    }

    /** The Strimzi cluster every KafkaTopic of the build belongs to. */
    static String kafkaCluster(List<Map<String, Object>> resources) {
        Set<String> clusters = all(resources, "KafkaTopic").stream()
                .map(t -> (String) at(t, "metadata", "labels", "strimzi.io/cluster")).collect(Collectors.toSet());
        assertThat(clusters).hasSize(1);
        return clusters.iterator().next();
    }

    // --- the checks

    @Test
    void gpuTakesTheSecureComponentAndDevStaysPlaintext() throws IOException {
        assertThat(Kustomize.kustomization(Repo.k8s().resolve("overlays/gpu")).get("components"))
                .isEqualTo(List.of("../../components/secure"));
        assertThat(Kustomize.kustomization(Repo.k8s().resolve("overlays/dev"))).doesNotContainKey("components");
        assertThat(Kustomize.kustomization(COMPONENT).get("kind")).isEqualTo("Component");

        List<Map<String, Object>> plain = overlay("dev");
        assertThat(plain).noneMatch(r -> List.of("KafkaUser", "Certificate", "Issuer").contains(r.get("kind")));
        assertThat(jobArgs(plain)).doesNotContainKeys(JobOptions.CLIENT_PROPERTIES.key(), JobOptions.LLM_TLS.key(),
                JobOptions.LLM_TLS_CA_CERT.key());
        CommandLine.ParseResult devWorker = Repo.parseWorker(at(workerContainer(plain), "args"));
        assertThat(devWorker.hasMatchedOption("--tls-cert")).isFalse();
        assertThat(devWorker.hasMatchedOption("--tls-key")).isFalse();

        List<Map<String, Object>> gpu = overlay("gpu");
        Configuration parsed = dev.duet.job.cli.CommandLine.parse(at(flink(gpu), "spec", "job", "args"));
        assertThat(parsed.get(JobOptions.LLM_TLS)).isTrue();
        assertThat(parsed.get(JobOptions.CLIENT_PROPERTIES)).isNotEmpty();
        assertThat(parsed.get(JobOptions.LLM_TLS_CA_CERT)).isNotEmpty();
        CommandLine.ParseResult gpuWorker = Repo.parseWorker(at(workerContainer(gpu), "args"));
        assertThat(gpuWorker.hasMatchedOption("--tls-cert")).isTrue();
        assertThat(gpuWorker.hasMatchedOption("--tls-key")).isTrue();
        // The gpu overlay's own options survived next to the component's TLS options.
        assertThat(Repo.workerOption(gpuWorker, "--device")).isEqualTo("cuda");
        assertThat(Repo.workerOption(gpuWorker, "--max-batch")).isEqualTo("32");
    }

    @Test
    void kafkaUserHasExactlyTheAclsTheJobNeeds() {
        List<Map<String, Object>> resources = overlay("gpu");
        Configuration job = dev.duet.job.cli.CommandLine.parse(at(flink(resources), "spec", "job", "args"));
        Map<String, Object> user = one(resources, "KafkaUser", "duet-job");
        assertThat(at(user, "metadata", "labels", "strimzi.io/cluster").toString()).isEqualTo(kafkaCluster(resources));
        assertThat(at(user, "spec", "authentication", "type").toString()).isEqualTo("scram-sha-512");
        assertThat(at(user, "spec", "authorization", "type").toString()).isEqualTo("simple");

        // The topics the job's options name are the KafkaTopics' real names.
        Set<String> kafkaTopics = all(resources, "KafkaTopic").stream().map(t -> (String) at(t, "spec", "topicName"))
                .collect(Collectors.toSet());
        List<String> inputs = List.of(job.get(JobOptions.TOPIC_INTERACTIONS), job.get(JobOptions.TOPIC_REQUESTS),
                job.get(JobOptions.TOPIC_ITEMS), job.get(JobOptions.TOPIC_CONTROL));
        List<String> outputs = List.of(job.get(JobOptions.TOPIC_RECOMMENDATIONS), job.get(JobOptions.TOPIC_DEAD_LETTERS));
        assertThat(kafkaTopics).containsAll(inputs).containsAll(outputs);

        // What SecureTransportITCase grants on its broker, and nothing else.
        Set<String> expected = new TreeSet<>();
        for (String topic : inputs) {
            expected.add("topic:literal:" + topic + ":Read");
            expected.add("topic:literal:" + topic + ":Describe");
        }
        for (String topic : outputs) {
            expected.add("topic:literal:" + topic + ":Write");
            expected.add("topic:literal:" + topic + ":Describe");
            expected.add("topic:literal:" + topic + ":Read");
        }
        expected.add("group:literal:" + job.get(JobOptions.GROUP_ID) + ":Read");
        expected.add("transactionalId:prefix:" + job.get(JobOptions.TRANSACTIONAL_ID_PREFIX) + ":Write");
        expected.add("transactionalId:prefix:" + job.get(JobOptions.TRANSACTIONAL_ID_PREFIX) + ":Describe");

        Set<String> granted = new TreeSet<>();
        List<Map<String, Object>> acls = at(user, "spec", "authorization", "acls");
        for (Map<String, Object> acl : acls) {
            assertThat(acl.getOrDefault("host", "*")).isEqualTo("*");
            assertThat(acl.getOrDefault("type", "allow")).isEqualTo("allow");
            Map<String, Object> resource = at(acl, "resource");
            List<String> operations = at(acl, "operations");
            for (String op : operations) {
                assertThat(granted.add(resource.get("type") + ":" + resource.get("patternType") + ":"
                        + resource.get("name") + ":" + op)).as("granted twice: %s %s", resource, op).isTrue();
            }
        }
        assertThat(granted).isEqualTo(expected);
    }

    @Test
    void kafkaClientSettingsHoldNoSecretAndOnlyWhatTheJobAccepts() throws Exception {
        Properties props = clientProperties();
        String text = Files.readString(COMPONENT.resolve("client.properties"));

        // Nothing the job sets itself (it would refuse to start), checked against its own list and its own reader.
        Set<String> owned = ownedByTheJob();
        assertThat(owned).contains("bootstrap.servers", "group.id", "transactional.id", "isolation.level");
        assertThat(props.stringPropertyNames()).doesNotContainAnyElementsOf(owned);
        Configuration withFile = new Configuration();
        withFile.set(JobOptions.CLIENT_PROPERTIES, COMPONENT.resolve("client.properties").toString());
        assertThat(KafkaIo.clientProperties(withFile)).isEqualTo(props);

        // Every key is a setting Kafka's clients (the job has consumers, producers and an admin client) know.
        Set<String> known = new HashSet<>(ConsumerConfig.configNames());
        known.addAll(ProducerConfig.configNames());
        known.addAll(AdminClientConfig.configNames());
        for (String key : props.stringPropertyNames()) {
            assertThat(known.contains(key) || key.startsWith("config.providers.")).as("Kafka client setting %s", key).isTrue();
        }

        // No secret: the login only through the DirectoryConfigProvider, no password, no key material.
        assertThat(text).doesNotContainPattern("(?i)password\\s*=").doesNotContain("-----BEGIN");
        for (String key : props.stringPropertyNames()) {
            if (key.matches("(?i).*(password|jaas|secret|credential).*")) {
                assertThat(props.getProperty(key)).as(key).matches(DIR_VARIABLE.pattern());
            }
        }
        Matcher login = DIR_VARIABLE.matcher(props.getProperty("sasl.jaas.config"));
        assertThat(login.matches()).isTrue();
        assertThat(login.group(2)).isEqualTo("sasl.jaas.config");
        assertThat(props).containsEntry("config.providers", "dir")
                .containsEntry("config.providers.dir.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider")
                .containsEntry("config.providers.dir.param.allowed.paths", login.group(1))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.type", "PEM")
                .doesNotContainKey("ssl.endpoint.identification.algorithm"); // host names stay checked

        // The mechanism is the KafkaUser's authentication.
        List<Map<String, Object>> resources = overlay("gpu");
        Map<String, Object> user = one(resources, "KafkaUser", "duet-job");
        assertThat(props.getProperty("sasl.mechanism"))
                .isEqualTo(at(user, "spec", "authentication", "type").toString().toUpperCase());

        // The ConfigMap is generated from exactly this file and mounted where --kafka.client-properties points.
        Map<String, Object> podSpec = flinkPodSpec(resources);
        Map<String, Object> container = flinkContainer(resources);
        String file = jobArgs(resources).get(JobOptions.CLIENT_PROPERTIES.key());
        Map<String, Object> volume = volumeHolding(podSpec, container, file);
        String configMap = at(volume, "configMap", "name");
        assertThat(configMap).matches("duet-kafka-client-[a-z0-9]{10}"); // kustomize's content hash
        assertThat((Map<String, Object>) at(one(resources, "ConfigMap", configMap), "data"))
                .isEqualTo(Map.of(Path.of(file).getFileName().toString(), text));

        // The login folder is the KafkaUser's Secret (Strimzi names it like the user), with the key read.
        Map<String, Object> userSecret = volumeHolding(podSpec, container, login.group(1) + "/" + login.group(2));
        assertThat(at(userSecret, "secret", "secretName").toString()).isEqualTo(Kustomize.metadata(user).get("name"));
        assertThat(secretKeys(userSecret)).containsExactly("sasl.jaas.config");
        // The truststore is the cluster CA's certificate (Strimzi's <cluster>-cluster-ca-cert, key ca.crt).
        String truststore = props.getProperty("ssl.truststore.location");
        Map<String, Object> caSecret = volumeHolding(podSpec, container, truststore);
        assertThat(at(caSecret, "secret", "secretName").toString()).isEqualTo(kafkaCluster(resources) + "-cluster-ca-cert");
        assertThat(truststore).endsWith("/ca.crt");
        assertThat(secretKeys(caSecret)).containsExactly("ca.crt");

        // Bootstrap through the cluster's TLS listener (Strimzi's internal TLS port).
        assertThat(jobArgs(resources).get(JobOptions.BOOTSTRAP.key())).isEqualTo(kafkaCluster(resources) + "-kafka-bootstrap:9093");
    }

    /**
     * Real Kafka clients of the job's kafka-clients version start with the file and the Secrets laid
     * out as the kubelet mounts them (each key a symlink into a timestamped folder): the login is
     * resolved from the folder, the PEM truststore loads. Without the Secret they refuse to start.
     */
    @Test
    void kafkaClientsStartWithTheSettingsAndTheMountedSecrets(@TempDir Path dir) throws Exception {
        List<Map<String, Object>> resources = overlay("gpu");
        Properties props = clientProperties();
        Matcher login = DIR_VARIABLE.matcher(props.getProperty("sasl.jaas.config"));
        assertThat(login.matches()).isTrue();
        String userMount = login.group(1);
        String caFile = props.getProperty("ssl.truststore.location");
        String caMount = caFile.substring(0, caFile.lastIndexOf('/'));

        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"duet-job\" "
                + "password=\"only-for-this-test\";";
        Path userDir = secretVolume(dir.resolve("kafka-user"), Map.of(login.group(2), jaas));
        Path ca = TestPki.create(dir.resolve("pki"), "RSA", 2048).caCertificate();
        Path caDir = secretVolume(dir.resolve("kafka-ca"), Map.of("ca.crt", Files.readString(ca)));

        String text = Files.readString(COMPONENT.resolve("client.properties"));
        Path mounted = dir.resolve("client.properties");
        Files.writeString(mounted, text.replace(userMount, userDir.toString()).replace(caMount, caDir.toString()));
        Configuration job = dev.duet.job.cli.CommandLine.parse(at(flink(resources), "spec", "job", "args"));
        job.set(JobOptions.CLIENT_PROPERTIES, mounted.toString());
        Properties client = KafkaIo.clientProperties(job);

        ConsumerConfig resolved = new ConsumerConfig(consumer(client));
        assertThat(resolved.getPassword("sasl.jaas.config").value()).isEqualTo(jaas);
        new KafkaConsumer<byte[], byte[]>(consumer(client)).close();

        // The Secret is missing: the variable stays unresolved and the client does not start.
        Files.writeString(mounted, text.replace(userMount, dir.resolve("not-mounted").toString())
                .replace(caMount, caDir.toString()));
        Properties unmounted = KafkaIo.clientProperties(job);
        assertThatThrownBy(() -> new KafkaConsumer<byte[], byte[]>(consumer(unmounted)).close())
                .isInstanceOf(org.apache.kafka.common.KafkaException.class);
    }

    private static Properties consumer(Properties client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put("bootstrap.servers", "127.0.0.1:9"); // never dialled: constructing the client does not connect
        p.put("group.id", "duet-job");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        return p;
    }

    /** A folder laid out as the kubelet writes a Secret volume: ..data -> timestamped folder, keys as symlinks. */
    private static Path secretVolume(Path dir, Map<String, String> keys) throws IOException {
        Path version = Files.createDirectories(dir.resolve("..2025_01_01_00_00_00.000000001"));
        for (Map.Entry<String, String> e : keys.entrySet()) {
            Files.writeString(version.resolve(e.getKey()), e.getValue());
        }
        Files.createSymbolicLink(dir.resolve("..data"), version.getFileName());
        for (String key : keys.keySet()) {
            Files.createSymbolicLink(dir.resolve(key), Path.of("..data", key));
        }
        return dir;
    }

    private static List<String> secretKeys(Map<String, Object> volume) {
        List<Map<String, Object>> items = at(volume, "secret", "items");
        List<String> keys = new ArrayList<>();
        for (Map<String, Object> item : items) {
            assertThat(item.get("path")).as("Secret key %s keeps its name", item.get("key")).isEqualTo(item.get("key"));
            keys.add((String) item.get("key"));
        }
        return keys;
    }

    @Test
    void workerCertificateNamesWhatTheJobDialsAndOnlyItsCaReachesTheJob() {
        List<Map<String, Object>> resources = overlay("gpu");
        String secretName = workerTlsSecret(resources);
        Map<String, Object> certificate = certificateFor(resources, secretName);
        String namespace = (String) Kustomize.metadata(certificate).get("namespace");
        Map<String, String> job = jobArgs(resources);
        String host = job.getOrDefault(JobOptions.LLM_TLS_AUTHORITY.key(), workerHost(job));

        // The names: the one the job checks, and the Service's namespaced names in the overlay's namespace.
        List<String> dnsNames = at(certificate, "spec", "dnsNames");
        one(resources, "Service", host);
        assertThat(dnsNames).containsExactlyInAnyOrder(host, host + "." + namespace, host + "." + namespace + ".svc",
                host + "." + namespace + ".svc.cluster.local");
        // A server certificate whose key the worker can read (gRPC's Netty reads PKCS#8 only).
        assertThat(at(certificate, "spec", "privateKey", "encoding").toString()).isEqualTo("PKCS8");
        assertThat((List<String>) at(certificate, "spec", "usages")).contains("server auth");

        // Issued by the private CA of the component: CA Issuer <- CA Certificate <- self-signed Issuer.
        assertThat(at(certificate, "spec", "issuerRef", "kind").toString()).isEqualTo("Issuer");
        Map<String, Object> issuer = one(resources, "Issuer", at(certificate, "spec", "issuerRef", "name"));
        Map<String, Object> ca = certificateFor(resources, at(issuer, "spec", "ca", "secretName"));
        assertThat((Object) at(ca, "spec", "isCA")).isEqualTo(true);
        assertThat(at(ca, "spec", "privateKey", "rotationPolicy").toString()).isEqualTo("Never");
        Map<String, Object> root = one(resources, "Issuer", at(ca, "spec", "issuerRef", "name"));
        assertThat((Map<String, Object>) at(root, "spec")).containsOnlyKeys("selfSigned");

        // The workers serve the Secret's certificate and key ...
        Map<String, Object> worker = workerContainer(resources);
        CommandLine.ParseResult parsed = Repo.parseWorker(at(worker, "args"));
        String workerMount = mountOfSecret(workerPodSpec(resources), worker, secretName);
        assertThat(Repo.workerOption(parsed, "--tls-cert")).isEqualTo(workerMount + "/tls.crt");
        assertThat(Repo.workerOption(parsed, "--tls-key")).isEqualTo(workerMount + "/tls.key");
        // ... and the job trusts its CA, from a volume holding nothing else (never the workers' key).
        assertThat(job.get(JobOptions.LLM_TLS.key())).isEqualTo("true");
        String jobMount = mountOfSecret(flinkPodSpec(resources), flinkContainer(resources), secretName);
        assertThat(job.get(JobOptions.LLM_TLS_CA_CERT.key())).isEqualTo(jobMount + "/ca.crt");
        assertThat(secretKeys(volumeHolding(flinkPodSpec(resources), flinkContainer(resources), jobMount + "/ca.crt")))
                .containsExactly("ca.crt");
    }

    @Test
    void tlsWorkerProbesRunTheHealthCheckWithTheCaAndTheCertificatesName() throws Exception {
        List<Map<String, Object>> resources = overlay("gpu");
        Map<String, Object> worker = workerContainer(resources);
        String secretName = workerTlsSecret(resources);
        List<String> dnsNames = at(certificateFor(resources, secretName), "spec", "dnsNames");
        String mount = mountOfSecret(workerPodSpec(resources), worker, secretName);
        String port = Repo.workerOption(Repo.parseWorker(at(worker, "args")), "--port");
        List<String> jvm = GrpcHealthCheckTest.dockerHealthCheckJvm();

        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            Map<String, Object> p = at(worker, probe);
            assertThat(p).as(probe).doesNotContainKey("grpc").containsKey("exec");
            List<String> command = at(p, "exec", "command");
            assertThat(command.subList(0, jvm.size())).as(probe).isEqualTo(jvm);
            List<String> args = new ArrayList<>(command.subList(jvm.size(), command.size()));
            String ca = args.get(args.indexOf("--tls-ca") + 1);
            String authority = args.get(args.indexOf("--authority") + 1);
            assertThat(ca).isEqualTo(mount + "/ca.crt");
            assertThat(dnsNames).contains(authority);
            args.subList(args.indexOf("--authority"), args.indexOf("--authority") + 2).clear();
            args.subList(args.indexOf("--tls-ca"), args.indexOf("--tls-ca") + 2).clear();
            assertThat(args.get(0)).isEqualTo("127.0.0.1:" + port);
            String service = args.size() > 1 ? args.get(1) : "";
            long deadlineMs = args.size() > 2 ? Long.parseLong(args.get(2)) : 3000;
            assertThat(service).isEqualTo(probe.equals("readinessProbe") ? LlmScorerGrpc.SERVICE_NAME : "");
            // The kubelet's timeout covers a JVM start plus the check's own deadline.
            assertThat(((Number) at(p, "timeoutSeconds")).longValue() * 1000).as(probe).isGreaterThan(deadlineMs + 1000);
        }
    }
}
