import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.TimeUnit;

/**
 * The worker image's health check: asks the standard gRPC health service (grpc.health.v1.Health)
 * and exits 0 only on SERVING. Docker's HEALTHCHECK cannot speak gRPC and the slim image has no
 * grpc_health_probe, so this small client runs on the worker's own class path. Kubernetes uses its
 * built-in gRPC probes instead (deploy/k8s/base/worker/deployment.yaml).
 *
 * <p>Usage: {@code java -cp /app/health:/app/lib/* GrpcHealthCheck HOST:PORT [SERVICE] [TIMEOUT_MS]}.
 */
public final class GrpcHealthCheck {

    private GrpcHealthCheck() {}

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: GrpcHealthCheck HOST:PORT [SERVICE] [TIMEOUT_MS]");
            System.exit(2);
        }
        String service = args.length > 1 ? args[1] : "";
        long timeoutMs = args.length > 2 ? Long.parseLong(args[2]) : 3000;
        System.exit(check(args[0], service, timeoutMs));
    }

    /** 0 when {@code service} at {@code target} reports SERVING, otherwise 1 (reason on stderr). */
    public static int check(String target, String service, long timeoutMs) {
        ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
        try {
            HealthCheckResponse reply = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build());
            if (reply.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                return 0;
            }
            System.err.println("health of '" + service + "' at " + target + ": " + reply.getStatus());
            return 1;
        } catch (StatusRuntimeException e) {
            System.err.println("health of '" + service + "' at " + target + ": " + e.getStatus());
            return 1;
        } finally {
            channel.shutdownNow();
        }
    }
}
