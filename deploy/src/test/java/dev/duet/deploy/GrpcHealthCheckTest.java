package dev.duet.deploy;

import static dev.duet.deploy.Yamls.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.job.llm.LlmTls;
import dev.duet.proto.v1.LlmScorerGrpc;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.worker.LlmWorker;
import dev.duet.worker.ScoringBackend;
import dev.duet.worker.WorkerConfig;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * docker/health/GrpcHealthCheck.java, the worker image's HEALTHCHECK and the TLS worker's
 * Kubernetes probe, compiled as the image build compiles it and run against real worker servers:
 * SERVING gives 0; a stopped server, a plaintext check of a TLS worker, an unknown CA or a wrong
 * name give 1; a bad command line 2. The gpu overlay's exec probes run as the kubelet would run
 * them, against a worker holding a certificate for the names the overlay's Certificate lists.
 */
class GrpcHealthCheckTest {

    private static final String WORKER_NAME = "duet-llm-worker";

    @TempDir
    static Path tmp;

    private static URLClassLoader loader;
    private static Method run;
    private static Method check;

    /** The gpu overlay, and its workers' Certificate's Secret as cert-manager fills it. */
    private static List<Map<String, Object>> gpu;
    private static Path secret;
    /** A CA that signed nothing the workers serve. */
    private static Path otherCa;

    /** A backend that never scores: the health service does not depend on it. */
    static final class IdleBackend implements ScoringBackend {
        @Override
        public String modelName() {
            return "test:idle";
        }

        @Override
        public String modelVersion() {
            return "0";
        }

        @Override
        public List<float[]> scoreBatch(List<ScoreRequest> requests) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }

    @BeforeAll
    static void compileAndIssue() throws Exception {
        Path classes = tmp.resolve("classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, null, errors, "--release", "17", "-cp", System.getProperty("java.class.path"),
                "-d", classes.toString(), Repo.docker().resolve("health/GrpcHealthCheck.java").toString());
        assertThat(rc).as("javac: %s", errors).isZero();
        loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, GrpcHealthCheckTest.class.getClassLoader());
        Class<?> health = loader.loadClass("GrpcHealthCheck");
        run = health.getMethod("run", String[].class);
        check = health.getMethod("check", String.class, String.class, long.class);

        // The workers' certificate with exactly the names and the key algorithm of the overlay's Certificate.
        gpu = KubernetesManifestsTest.overlay("gpu");
        Map<String, Object> certificate = SecureTransportManifestsTest.certificateFor(gpu, SecureTransportManifestsTest.workerTlsSecret(gpu));
        List<String> dnsNames = at(certificate, "spec", "dnsNames");
        assertThat(dnsNames).contains(WORKER_NAME);
        String algorithm = at(certificate, "spec", "privateKey", "algorithm");
        int size = at(certificate, "spec", "privateKey", "size");
        secret = TestPki.create(tmp.resolve("pki"), algorithm, size).issue(tmp.resolve("secret"), "worker", dnsNames);
        otherCa = TestPki.create(tmp.resolve("other"), algorithm, size).caCertificate();
    }

    @AfterAll
    static void close() throws Exception {
        loader.close();
    }

    record Outcome(int code, String err) {}

    /** The exit code of {@code GrpcHealthCheck args...}, and what it wrote to stderr. */
    static Outcome run(String... args) throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = (int) run.invoke(null, (Object) args);
            return new Outcome(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    static LlmWorker start(WorkerConfig.Builder config) throws Exception {
        return LlmWorker.start(config.host("127.0.0.1").port(0).build(), new IdleBackend());
    }

    static int unusedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void reportsServingOnlyWhileTheWorkerServes() throws Exception {
        LlmWorker worker = start(WorkerConfig.builder());
        String target = "127.0.0.1:" + worker.port();
        try {
            assertThat(check.invoke(null, target, LlmScorerGrpc.SERVICE_NAME, 5000L)).isEqualTo(0);
            assertThat(check.invoke(null, target, "", 5000L)).isEqualTo(0);
            assertThat(check.invoke(null, target, "no.such.Service", 5000L)).isEqualTo(1);
            // The image's HEALTHCHECK form: positional arguments only.
            assertThat(run(target, LlmScorerGrpc.SERVICE_NAME).code()).isZero();
            assertThat(run(target, "", "5000").code()).isZero();
            // A TLS check of a plaintext worker fails.
            assertThat(run("--tls", target, "", "5000").code()).isEqualTo(1);
        } finally {
            worker.close();
        }
        assertThat(check.invoke(null, target, LlmScorerGrpc.SERVICE_NAME, 2000L)).isEqualTo(1);
        assertThat(check.invoke(null, "127.0.0.1:" + unusedPort(), "", 2000L)).isEqualTo(1);
    }

    @Test
    void checksATlsWorkerOnlyWithItsCaAndItsName() throws Exception {
        String ca = secret.resolve("ca.crt").toString();

        LlmWorker worker = start(WorkerConfig.builder().tls(secret.resolve("tls.crt"), secret.resolve("tls.key")));
        String target = "127.0.0.1:" + worker.port();
        try {
            assertThat(run("--tls-ca", ca, "--authority", WORKER_NAME, target, LlmScorerGrpc.SERVICE_NAME, "5000")
                    .code()).isZero();
            assertThat(run("--tls-ca", ca, "--authority", WORKER_NAME, target).code()).isZero();
            // Options may follow the address too.
            assertThat(run(target, "--authority", WORKER_NAME, "--tls-ca", ca).code()).isZero();

            // Plaintext against TLS: the handshake never happens.
            Outcome plaintext = run(target, LlmScorerGrpc.SERVICE_NAME, "5000");
            assertThat(plaintext.code()).isEqualTo(1);
            assertThat(plaintext.err().strip().lines()).as("one line: %s", plaintext.err()).hasSize(1);
            assertThat(plaintext.err()).contains("UNAVAILABLE");

            // A CA that did not sign the worker's certificate.
            Outcome wrongCa = run("--tls-ca", otherCa.toString(), "--authority", WORKER_NAME, target, "", "5000");
            assertThat(wrongCa.code()).isEqualTo(1);
            assertThat(wrongCa.err().strip().lines()).as("one line: %s", wrongCa.err()).hasSize(1);
            assertThat(wrongCa.err()).contains("UNAVAILABLE");
            // The JVM's default authorities do not know the private CA either.
            assertThat(run("--tls", "--authority", WORKER_NAME, target, "", "5000").code()).isEqualTo(1);

            // The right CA, but a name the certificate does not carry (the probe dials 127.0.0.1).
            assertThat(run("--tls-ca", ca, "--authority", "someone-else", target, "", "5000").code()).isEqualTo(1);
            assertThat(run("--tls-ca", ca, target, "", "5000").code()).isEqualTo(1);
        } finally {
            worker.close();
        }
        assertThat(run("--tls-ca", ca, "--authority", WORKER_NAME, target, "", "2000").code()).isEqualTo(1);
    }

    @Test
    void badCommandLinesExitWithTwoAndSayWhy(@TempDir Path dir) throws Exception {
        String target = "127.0.0.1:" + unusedPort();
        Outcome none = run();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("HOST:PORT is missing").contains("usage:");
        assertThat(run("--tls-cert", "x", target).err()).contains("unknown option --tls-cert");
        assertThat(run("--tls-cert", "x", target).code()).isEqualTo(2);
        assertThat(run("--authority", WORKER_NAME, target).code()).isEqualTo(2);
        assertThat(run("--authority", WORKER_NAME, target).err()).contains("--authority only applies with --tls");
        assertThat(run(target, "--tls-ca").code()).isEqualTo(2);
        assertThat(run(target, "svc", "soon").code()).isEqualTo(2);
        assertThat(run(target, "svc", "1000", "extra").code()).isEqualTo(2);
        // A CA file that cannot be read is a failed check (the Secret is not mounted), not a usage error.
        Outcome absent = run("--tls-ca", dir.resolve("absent.crt").toString(), target);
        assertThat(absent.code()).isEqualTo(1);
        assertThat(absent.err()).contains("absent.crt");
    }

    /**
     * The gpu overlay's worker probes, as the kubelet runs them inside the worker container: the
     * JVM and class path of the image's HEALTHCHECK, the CA from the mounted certificate Secret, the
     * name the overlay's Certificate gives the workers. The worker here serves the files the
     * worker's own --tls-cert and --tls-key point at, with a certificate for exactly the
     * Certificate's DNS names and key algorithm; the job's TLS settings trust it for the host it dials.
     */
    @Test
    void theGpuOverlaysProbesAndTheJobTrustATlsWorkerWithTheCertificateOfTheOverlay() throws Exception {
        List<Map<String, Object>> resources = gpu;
        Map<String, Object> container = KubernetesManifestsTest.workerContainer(resources);
        String secretName = SecureTransportManifestsTest.workerTlsSecret(resources);
        // Where the workers mount the Secret; the test's Secret folder stands for it.
        String mount = SecureTransportManifestsTest.mountOfSecret(
                at(one(resources, "Deployment", WORKER_NAME), "spec", "template", "spec"), container, secretName);

        List<String> manifestArgs = at(container, "args");
        List<String> workerArgs = new ArrayList<>();
        for (String a : manifestArgs) {
            workerArgs.add(a.startsWith(mount + "/") ? secret + a.substring(mount.length()) : a);
        }
        CommandLine.ParseResult parsed = Repo.parseWorker(workerArgs);
        int port = Integer.parseInt(Repo.workerOption(parsed, "--port"));
        LlmWorker worker = start(WorkerConfig.builder().tls(Path.of(Repo.workerOption(parsed, "--tls-cert")),
                Path.of(Repo.workerOption(parsed, "--tls-key"))));
        List<String> healthcheck = dockerHealthCheckJvm();
        try {
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                List<String> command = at(container, probe, "exec", "command");
                int main = command.indexOf("GrpcHealthCheck");
                assertThat(command.subList(0, main + 1)).as("%s: the image's health-check JVM", probe)
                        .isEqualTo(healthcheck);
                List<String> args = new ArrayList<>();
                for (String a : command.subList(main + 1, command.size())) {
                    if (a.startsWith(mount + "/")) {
                        a = secret + a.substring(mount.length());
                    } else if (a.equals("127.0.0.1:" + port)) {
                        a = "127.0.0.1:" + worker.port();
                    }
                    args.add(a);
                }
                assertThat(args).as("%s dials the worker's --port on loopback", probe)
                        .contains("127.0.0.1:" + worker.port());
                Outcome outcome = run(args.toArray(String[]::new));
                assertThat(outcome.code()).as("%s %s: %s", probe, args, outcome.err()).isZero();
            }

            // The job: its CA file from the manifest's path, the host it dials as the name checked.
            Map<String, Object> flink = one(resources, "FlinkDeployment", "duet-job");
            Map<String, String> jobArgs = Repo.jobArgs(at(flink, "spec", "job", "args"));
            String caMount = SecureTransportManifestsTest.mountOfSecret(at(flink, "spec", "podTemplate", "spec"),
                    at(flink, "spec", "podTemplate", "spec", "containers", 0), secretName);
            String caFile = jobArgs.get("llm.tls.ca-cert");
            assertThat(caFile).startsWith(caMount + "/");
            LlmTls tls = new LlmTls(Boolean.parseBoolean(jobArgs.get("llm.tls.enabled")),
                    secret + caFile.substring(caMount.length()), jobArgs.getOrDefault("llm.tls.authority", ""));
            String dialed = tls.authority().isEmpty() ? SecureTransportManifestsTest.workerHost(jobArgs) : tls.authority();
            ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + worker.port(), tls.credentials())
                    .overrideAuthority(dialed).build();
            try {
                HealthCheckResponse reply = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.newBuilder().setService(LlmScorerGrpc.SERVICE_NAME).build());
                assertThat(reply.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            worker.close();
        }
    }

    /** The JVM part of the worker image's HEALTHCHECK, up to and including the class name. */
    static List<String> dockerHealthCheckJvm() throws Exception {
        String file = Files.readString(Repo.docker().resolve("Dockerfile.worker"));
        Matcher m = Pattern.compile("(?m)^\\s*CMD \\[(.*\"GrpcHealthCheck\".*)]$").matcher(file);
        assertThat(m.find()).as("HEALTHCHECK CMD in Dockerfile.worker").isTrue();
        List<String> words = new ArrayList<>();
        for (String w : m.group(1).split(",\\s*")) {
            words.add(w.strip().replaceAll("^\"|\"$", ""));
        }
        return words.subList(0, words.indexOf("GrpcHealthCheck") + 1);
    }

    private static Map<String, Object> one(List<Map<String, Object>> resources, String kind, String name) {
        return KubernetesManifestsTest.one(resources, kind, name);
    }
}
