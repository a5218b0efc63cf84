package dev.duet.job.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.job.testing.FakeLlmWorker;
import dev.duet.job.testing.SelfSignedCertificate;
import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.ScoreReply;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's gRPC client against real (fake-model) workers: balancing, breakers, TLS. */
class LlmPoolTest {

    @TempDir
    Path tmp;

    private static ScoreRequest request(String id) {
        return ScoreRequest.newBuilder()
                .setRequestId(id)
                .setUserId("u1")
                .setTask(Task.TASK_POINTWISE)
                .addCandidates(Candidate.newBuilder().setItemId("i1").setTitle("Toy Story").setCrmProbability(0.9f))
                .build();
    }

    private static LlmPool pool(List<String> targets, LlmTls tls) {
        return new LlmPool(targets, 2000, 2, 3, 60_000, tls);
    }

    @Test
    void balancesAcrossWorkersRoundRobin() throws Exception {
        try (FakeLlmWorker a = new FakeLlmWorker("a", 0);
                FakeLlmWorker b = new FakeLlmWorker("b", 0);
                LlmPool pool = pool(List.of(a.target(), b.target()), LlmTls.PLAINTEXT)) {
            for (int i = 0; i < 10; i++) {
                assertThat(pool.score(request("r" + i)).get(10, TimeUnit.SECONDS).getScoresCount()).isEqualTo(1);
            }
            assertThat(a.requests()).isEqualTo(5);
            assertThat(b.requests()).isEqualTo(5);
        }
    }

    @Test
    void aDeadWorkerIsRetriedElsewhereAndItsBreakerOpens() throws Exception {
        FakeLlmWorker dead = new FakeLlmWorker("dead", 0);
        String deadTarget = dead.target();
        dead.stop();
        try (FakeLlmWorker live = new FakeLlmWorker("live", 0);
                LlmPool pool = pool(List.of(deadTarget, live.target()), LlmTls.PLAINTEXT)) {
            for (int i = 0; i < 12; i++) {
                ScoreReply reply = pool.score(request("r" + i)).get(10, TimeUnit.SECONDS);
                assertThat(reply.getModelVersion()).isEqualTo("live");
            }
            assertThat(pool.availableWorkers()).isEqualTo(1);
            assertThat(pool.describeWorkers()).contains(deadTarget + "=OPEN");
        }
    }

    @Test
    void speaksTlsToAWorkerWhoseCertificateItTrusts() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(tmp, "worker");
        try (FakeLlmWorker worker = new FakeLlmWorker("tls", cert);
                LlmPool pool = pool(List.of(worker.target()), new LlmTls(true, cert.certificate().toString(), ""))) {
            assertThat(pool.score(request("r1")).get(10, TimeUnit.SECONDS).getModelVersion()).isEqualTo("tls");
        }
    }

    @Test
    void refusesAWorkerItCannotVerifyOrThatSpeaksNoTls() throws Exception {
        SelfSignedCertificate workerCert = SelfSignedCertificate.create(tmp, "worker");
        SelfSignedCertificate otherCa = SelfSignedCertificate.create(tmp, "other");
        try (FakeLlmWorker tlsWorker = new FakeLlmWorker("tls", workerCert);
                FakeLlmWorker plainWorker = new FakeLlmWorker("plain", 0);
                LlmPool untrusted = pool(List.of(tlsWorker.target()), new LlmTls(true, otherCa.certificate().toString(), ""));
                LlmPool plaintextClient = pool(List.of(tlsWorker.target()), LlmTls.PLAINTEXT);
                LlmPool tlsToPlain = pool(List.of(plainWorker.target()), new LlmTls(true, workerCert.certificate().toString(), ""))) {
            for (LlmPool p : List.of(untrusted, plaintextClient, tlsToPlain)) {
                assertThatThrownBy(() -> p.score(request("r1")).get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(LlmPool.LlmCallException.class);
            }
            assertThat(tlsWorker.requests()).isZero();
            assertThat(plainWorker.requests()).isZero();
        }
    }

    @Test
    void tlsSettingsAreValidated() {
        assertThatThrownBy(() -> new LlmTls(false, "/some/ca.pem", ""))
                .hasMessageContaining("llm.tls.enabled=true");
        assertThatThrownBy(() -> new LlmTls(true, tmp.resolve("missing.pem").toString(), ""))
                .hasMessageContaining("llm.tls.ca-cert").hasMessageContaining("missing.pem");
    }
}
