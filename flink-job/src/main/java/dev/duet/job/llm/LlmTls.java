package dev.duet.job.llm;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the job's gRPC client reaches the workers: plaintext, or TLS trusting either the JVM's
 * default certificate authorities or one PEM file (a cluster's own CA, mounted from a Secret).
 *
 * @param enabled whether to speak TLS
 * @param caCertFile PEM file of the certificate authorities to trust; empty for the JVM's defaults
 * @param authority the name the workers' certificate must carry, when it differs from the target's
 *     host (e.g. a headless Service's DNS name dialled by address); empty for the target's host
 */
public record LlmTls(boolean enabled, String caCertFile, String authority) implements Serializable {

    public static final LlmTls PLAINTEXT = new LlmTls(false, "", "");

    public LlmTls {
        if (caCertFile == null || authority == null) {
            throw new IllegalArgumentException("CA file and authority may be empty but not null");
        }
        if (!enabled && (!caCertFile.isEmpty() || !authority.isEmpty())) {
            throw new IllegalArgumentException(
                    "llm.tls.ca-cert and llm.tls.authority need llm.tls.enabled=true (the client would otherwise ignore them)");
        }
        if (!caCertFile.isEmpty() && !Files.isReadable(Path.of(caCertFile))) {
            throw new IllegalArgumentException("llm.tls.ca-cert: cannot read the CA certificate file " + caCertFile);
        }
    }

    /** The channel credentials these settings describe; reads the CA file. */
    public ChannelCredentials credentials() {
        if (!enabled) {
            return InsecureChannelCredentials.create();
        }
        if (caCertFile.isEmpty()) {
            return TlsChannelCredentials.create();
        }
        try {
            return TlsChannelCredentials.newBuilder().trustManager(Path.of(caCertFile).toFile()).build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("llm.tls.ca-cert: " + caCertFile + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }
}
