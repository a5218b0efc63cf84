import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The worker image's health check: asks the standard gRPC health service (grpc.health.v1.Health)
 * and exits 0 only on SERVING. Docker's HEALTHCHECK cannot speak gRPC and the slim image has no
 * grpc_health_probe, so this small client runs on the worker's own class path. Kubernetes uses its
 * built-in gRPC probes for a plaintext worker (deploy/k8s/base/worker/deployment.yaml); those
 * cannot speak TLS, so a TLS worker is probed by running this class with {@code --tls-ca}
 * (deploy/k8s/components/secure).
 *
 * <p>Usage: {@code java -cp /app/health:/app/lib/* GrpcHealthCheck [--tls | --tls-ca FILE]
 * [--authority NAME] HOST:PORT [SERVICE] [TIMEOUT_MS]}. {@code --tls} trusts the JVM's default
 * certificate authorities, {@code --tls-ca} only those in the PEM file; {@code --authority} is the
 * name the worker's certificate must carry when it is not HOST (a probe dials 127.0.0.1 but the
 * certificate names the Service). Exit codes: 0 serving, 1 not serving or unreachable, 2 usage.
 */
public final class GrpcHealthCheck {

    private static final String USAGE =
            "usage: GrpcHealthCheck [--tls | --tls-ca FILE] [--authority NAME] HOST:PORT [SERVICE] [TIMEOUT_MS]";

    private GrpcHealthCheck() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Parses a command line and checks; returns the exit code (2 for a bad command line). */
    public static int run(String... args) {
        boolean tls = false;
        String caFile = null;
        String authority = null;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--tls")) {
                tls = true;
            } else if (a.equals("--tls-ca") || a.equals("--authority")) {
                if (i + 1 >= args.length || args[i + 1].isEmpty()) {
                    return usage(a + " needs a value");
                }
                if (a.equals("--tls-ca")) {
                    caFile = args[++i];
                    tls = true;
                } else {
                    authority = args[++i];
                }
            } else if (a.startsWith("--")) {
                return usage("unknown option " + a);
            } else {
                positional.add(a);
            }
        }
        if (positional.isEmpty() || positional.size() > 3) {
            return usage(positional.isEmpty() ? "HOST:PORT is missing" : "too many arguments " + positional);
        }
        if (authority != null && !tls) {
            return usage("--authority only applies with --tls or --tls-ca");
        }
        long timeoutMs;
        try {
            timeoutMs = positional.size() > 2 ? Long.parseLong(positional.get(2)) : 3000;
        } catch (NumberFormatException e) {
            return usage("TIMEOUT_MS must be a number of milliseconds, got '" + positional.get(2) + "'");
        }
        String service = positional.size() > 1 ? positional.get(1) : "";
        ChannelCredentials credentials;
        try {
            credentials = !tls ? InsecureChannelCredentials.create()
                    : caFile == null ? TlsChannelCredentials.create()
                    : TlsChannelCredentials.newBuilder().trustManager(new File(caFile)).build();
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("--tls-ca " + caFile + ": not a readable PEM certificate file: " + e.getMessage());
            return 1;
        }
        return check(positional.get(0), service, timeoutMs, credentials, authority);
    }

    /** Plaintext check: 0 when {@code service} at {@code target} reports SERVING, otherwise 1. */
    public static int check(String target, String service, long timeoutMs) {
        return check(target, service, timeoutMs, InsecureChannelCredentials.create(), null);
    }

    /**
     * 0 when {@code service} at {@code target} reports SERVING over {@code credentials}, otherwise 1
     * (the reason on stderr, one line); {@code authority} overrides the name the server's
     * certificate is checked against when not null.
     */
    public static int check(String target, String service, long timeoutMs, ChannelCredentials credentials,
            String authority) {
        ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(target, credentials);
        if (authority != null) {
            builder.overrideAuthority(authority);
        }
        ManagedChannel channel = builder.build();
        String what = "health of '" + service + "' at " + target + (authority != null ? " (as " + authority + ")" : "");
        try {
            HealthCheckResponse reply = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build());
            if (reply.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                return 0;
            }
            System.err.println(what + ": " + reply.getStatus());
            return 1;
        } catch (StatusRuntimeException e) {
            System.err.println(what + ": " + describe(e.getStatus()));
            return 1;
        } finally {
            channel.shutdownNow();
        }
    }

    /** The status code, its description and the innermost cause's message: a probe's output is one line. */
    private static String describe(Status status) {
        StringBuilder s = new StringBuilder(status.getCode().name());
        if (status.getDescription() != null) {
            s.append(" (").append(status.getDescription()).append(')');
        }
        Throwable root = status.getCause();
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != null) {
            s.append(": ").append(root.getClass().getSimpleName()).append(": ").append(root.getMessage());
        }
        return s.toString().replace('\n', ' ');
    }

    private static int usage(String problem) {
        System.err.println("GrpcHealthCheck: " + problem);
        System.err.println(USAGE);
        return 2;
    }
}
