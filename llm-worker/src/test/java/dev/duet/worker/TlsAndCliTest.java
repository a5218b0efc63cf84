package dev.duet.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.duet.core.testing.SharedResources;
import dev.duet.proto.v1.LlmScorerGrpc;
import dev.duet.proto.v1.ScoreBatchReply;
import dev.duet.proto.v1.ScoreBatchRequest;
import dev.duet.worker.cli.Main;
import dev.duet.worker.internal.CausalLmBackend;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS serving, and the command line: worker-call and one-line errors. */
class TlsAndCliTest {

    @TempDir
    Path tmp;

    private static CausalLmBackend stories() throws Exception {
        return CausalLmBackend.builder()
                .modelDir(SharedResources.resolve("models/stories260k")).build();
    }

    /** A self-signed certificate for 127.0.0.1 made with the JDK's keytool, written as PEM. */
    private Path[] selfSigned() throws Exception {
        Path store = tmp.resolve("tls.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "worker",
                "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        try (InputStream out = p.getInputStream()) {
            out.readAllBytes();
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool exit code").isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        Key key = ks.getKey("worker", "changeit".toCharArray());
        Certificate cert = ks.getCertificate("worker");
        Path certFile = tmp.resolve("cert.pem");
        Path keyFile = tmp.resolve("key.pem");
        Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
        return new Path[] {certFile, keyFile};
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Test
    void servesOverTlsAndRefusesPlaintext() throws Exception {
        Path[] tls = selfSigned();
        try (LlmWorker worker = LlmWorker.start(
                WorkerConfig.builder().tls(tls[0], tls[1]).build(), stories())) {
            String target = "127.0.0.1:" + worker.port();
            ManagedChannel secure = Grpc.newChannelBuilder(target,
                    TlsChannelCredentials.newBuilder().trustManager(tls[0].toFile()).build())
                    .build();
            ManagedChannel plain =
                    Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
            try {
                ScoreBatchReply reply = LlmScorerGrpc.newBlockingStub(secure)
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .score(ScoreBatchRequest.newBuilder()
                                .addRequests(TestRequests.pointwise("tls", 2, "Up")).build());
                assertThat(reply.getReplies(0).getScoresCount()).isEqualTo(1);
                assertThatThrownBy(() -> LlmScorerGrpc.newBlockingStub(plain)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .score(ScoreBatchRequest.newBuilder()
                                .addRequests(TestRequests.pointwise("plain", 2, "Up")).build()))
                        .isInstanceOf(StatusRuntimeException.class)
                        .hasMessageContaining("UNAVAILABLE");
            } finally {
                secure.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void workerCallVerifiesTheCertificateForTheNameItIsGiven() throws Exception {
        Path[] tls = selfSigned(); // names localhost and 127.0.0.1
        try (LlmWorker worker = LlmWorker.start(
                WorkerConfig.builder().tls(tls[0], tls[1]).build(), stories())) {
            Path request = tmp.resolve("tls-request.json");
            Files.writeString(request, "{\"requestId\": \"tls-1\", \"task\": \"TASK_POINTWISE\","
                    + " \"candidates\": [{\"title\": \"Babe (1995)\", \"crmProbability\": 0.4}]}");
            String target = "127.0.0.1:" + worker.port();
            Captured named = capture("worker-call", "--target", target, "--request", request.toString(),
                    "--tls-ca", tls[0].toString(), "--authority", "localhost");
            assertThat(named.code).as(named.err).isZero();
            assertThat(named.out).contains("\"requestId\": \"tls-1\"");

            Captured wrongName = capture("worker-call", "--target", target, "--request", request.toString(),
                    "--tls-ca", tls[0].toString(), "--authority", "duet-llm-worker", "--timeout-ms", "5000");
            assertThat(wrongName.code).isEqualTo(1);
            assertThat(wrongName.err).contains("UNAVAILABLE");

            Captured noCa = capture("worker-call", "--target", target, "--request", request.toString(),
                    "--authority", "localhost");
            assertThat(noCa.code).isEqualTo(1);
            assertThat(noCa.err).contains("--authority needs --tls-ca");
        }
    }

    @Test
    void tlsNeedsBothFiles() {
        assertThatThrownBy(() -> WorkerConfig.builder().tls(tmp.resolve("c.pem"), null).build())
                .hasMessageContaining("both a certificate and a key");
    }

    @Test
    void workerCallSendsJsonAndPrintsTheReplyAsJson() throws Exception {
        try (LlmWorker worker = LlmWorker.start(WorkerConfig.builder().build(), stories())) {
            Path request = tmp.resolve("request.json");
            Files.writeString(request, """
                    {"requests": [{
                      "requestId": "cli-1", "task": "TASK_POINTWISE",
                      "history": [{"title": "Toy Story (1995)", "rating": 5}],
                      "candidates": [{"title": "Babe (1995)", "crmProbability": 0.4}]
                    }]}
                    """);
            Captured run = capture("worker-call", "--target", "127.0.0.1:" + worker.port(),
                    "--request", request.toString());
            assertThat(run.code).as(run.err).isZero();
            assertThat(run.out).contains("\"requestId\": \"cli-1\"").contains("\"scores\": [")
                    .contains("\"modelName\": \"causal-lm:stories260k\"");

            Files.writeString(request, """
                    {"requestId": "cli-2", "task": "TASK_POINTWISE", "candidates": []}
                    """);
            Captured invalid = capture("worker-call", "--target", "127.0.0.1:" + worker.port(),
                    "--request", request.toString());
            assertThat(invalid.code).isEqualTo(1);
            assertThat(invalid.err.strip().lines().toList()).hasSize(1);
            assertThat(invalid.err).contains("INVALID_ARGUMENT").contains("request 'cli-2'");
        }
    }

    @Test
    void badCommandLinesEndWithOneClearLine() throws Exception {
        Captured unknownBackend = capture("worker", "--backend", "gpt", "--port", "0");
        assertThat(unknownBackend.code).isEqualTo(1);
        assertThat(unknownBackend.err.strip().lines().toList()).hasSize(1);
        assertThat(unknownBackend.err).contains("--backend must be causal-lm, text-encoder, openai or trained");

        Captured missingModel = capture("worker", "--backend", "causal-lm",
                "--model", tmp.resolve("absent").toString());
        assertThat(missingModel.code).isEqualTo(1);
        assertThat(missingModel.err.strip().lines().toList()).hasSize(1);
        assertThat(missingModel.err).contains("absent");

        Captured noArgs = capture("worker-call");
        assertThat(noArgs.code).isEqualTo(2);
        assertThat(noArgs.err).contains("Missing required options");
    }

    @Test
    void cudaWhereThereIsNoneFailsClearly() throws Exception {
        // On a CUDA build with a GPU the worker would start and serve; this checks the other case.
        Assumptions.assumeFalse(OrtEnvironment.getAvailableProviders()
                .contains(OrtProvider.CUDA), "this machine has CUDA");
        Captured cuda = capture("worker", "--backend", "causal-lm", "--port", "0",
                "--device", "cuda",
                "--model", SharedResources.resolve("models/stories260k").toString());
        assertThat(cuda.code).isEqualTo(1);
        assertThat(cuda.err.strip().lines().toList()).hasSize(1);
        assertThat(cuda.err).contains("CUDA was requested but is not available");
    }

    private record Captured(int code, String out, String err) {}

    private static Captured capture(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Captured(code, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
