package dev.duet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.proto.v1.LlmScorerGrpc;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.worker.LlmWorker;
import dev.duet.worker.ScoringBackend;
import dev.duet.worker.WorkerConfig;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/health/GrpcHealthCheck.java, the worker image's HEALTHCHECK, compiled as the image build
 * compiles it and run against a real worker server: SERVING gives 0, a stopped server 1.
 */
class GrpcHealthCheckTest {

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

    @Test
    void reportsServingOnlyWhileTheWorkerServes(@TempDir Path out) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, null, errors, "--release", "17", "-cp", System.getProperty("java.class.path"),
                "-d", out.toString(), Repo.docker().resolve("health/GrpcHealthCheck.java").toString());
        assertThat(rc).as("javac: %s", errors).isZero();

        try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader())) {
            Method check = loader.loadClass("GrpcHealthCheck").getMethod("check", String.class, String.class, long.class);
            LlmWorker worker = LlmWorker.start(WorkerConfig.builder().host("127.0.0.1").port(0).build(), new IdleBackend());
            String target = "127.0.0.1:" + worker.port();
            try {
                assertThat(check.invoke(null, target, LlmScorerGrpc.SERVICE_NAME, 5000L)).isEqualTo(0);
                assertThat(check.invoke(null, target, "", 5000L)).isEqualTo(0);
                assertThat(check.invoke(null, target, "no.such.Service", 5000L)).isEqualTo(1);
            } finally {
                worker.close();
            }
            assertThat(check.invoke(null, target, LlmScorerGrpc.SERVICE_NAME, 2000L)).isEqualTo(1);

            int unused;
            try (ServerSocket s = new ServerSocket(0)) {
                unused = s.getLocalPort();
            }
            assertThat(check.invoke(null, "127.0.0.1:" + unused, "", 2000L)).isEqualTo(1);
        }
    }
}
