package dev.duet.worker.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.duet.proto.v1.LlmScorerGrpc;
import dev.duet.proto.v1.ScoreBatchReply;
import dev.duet.proto.v1.ScoreBatchRequest;
import dev.duet.proto.v1.ScoreRequest;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code worker-call}: sends one JSON request to a worker and prints the reply as JSON. */
@Command(name = "worker-call", mixinStandardHelpOptions = true,
        description = "Send a ScoreBatchRequest (or a single ScoreRequest) in JSON to a worker"
                + " and print the reply as JSON.")
final class WorkerCallCommand implements Callable<Integer> {

    @Option(names = "--target", required = true, description = "HOST:PORT of the worker.")
    String target;

    @Option(names = "--request", required = true,
            description = "JSON file: a ScoreBatchRequest {\"requests\": [...]} or one ScoreRequest.")
    Path request;

    @Option(names = "--timeout-ms", defaultValue = "30000",
            description = "gRPC deadline. Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    @Option(names = "--tls-ca", description = "PEM CA certificate; connects with TLS when given.")
    Path tlsCa;

    @Option(names = "--authority",
            description = "Name the worker's certificate must carry when it differs from the target's host"
                    + " (e.g. duet-llm-worker through a port-forward to 127.0.0.1); needs --tls-ca.")
    String authority;

    @Override
    public Integer call() throws Exception {
        ScoreBatchRequest batch = read(request);
        ChannelCredentials credentials = tlsCa == null ? InsecureChannelCredentials.create()
                : TlsChannelCredentials.newBuilder().trustManager(tlsCa.toFile()).build();
        if (authority != null && tlsCa == null) {
            throw new IllegalArgumentException("--authority needs --tls-ca (it names the certificate to expect)");
        }
        var builder = Grpc.newChannelBuilder(target, credentials);
        if (authority != null) {
            builder.overrideAuthority(authority);
        }
        ManagedChannel channel = builder.build();
        try {
            ScoreBatchReply reply = LlmScorerGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS).score(batch);
            System.out.println(JsonFormat.printer().print(reply));
            return 0;
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static ScoreBatchRequest read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Request file not found: " + file);
        }
        String json = Files.readString(file);
        try {
            if (json.contains("\"requests\"")) {
                ScoreBatchRequest.Builder b = ScoreBatchRequest.newBuilder();
                JsonFormat.parser().merge(json, b);
                return b.build();
            }
            ScoreRequest.Builder one = ScoreRequest.newBuilder();
            JsonFormat.parser().merge(json, one);
            return ScoreBatchRequest.newBuilder().addRequests(one).build();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(file + ": not a ScoreBatchRequest or ScoreRequest"
                    + " in JSON: " + e.getMessage(), e);
        }
    }
}
