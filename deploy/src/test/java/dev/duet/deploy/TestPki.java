package dev.duet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A throw-away certificate authority made with the JDK's keytool, writing what cert-manager puts
 * in a TLS Secret: {@code tls.crt} (PEM), {@code tls.key} (PKCS#8 PEM) and {@code ca.crt}. Keys are
 * made for the tests and live only in their temporary folders.
 */
final class TestPki {

    private static final String PASSWORD = "changeit";

    private final Path store;
    private final String keyAlgorithm;
    private final int keySize;
    private final Path caCertificate;

    private TestPki(Path store, String keyAlgorithm, int keySize, Path caCertificate) {
        this.store = store;
        this.keyAlgorithm = keyAlgorithm;
        this.keySize = keySize;
        this.caCertificate = caCertificate;
    }

    /**
     * A new CA in {@code dir}. {@code algorithm} as a cert-manager Certificate names it (ECDSA or
     * RSA), {@code size} its key size.
     */
    static TestPki create(Path dir, String algorithm, int size) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String keyAlgorithm = switch (algorithm) {
            case "ECDSA" -> "EC";
            case "RSA" -> "RSA";
            default -> throw new IllegalArgumentException("no keytool algorithm for " + algorithm);
        };
        Path store = dir.resolve("pki.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", keyAlgorithm, "-keysize", String.valueOf(size),
                "-validity", "2", "-dname", "CN=test-ca " + dir.getFileName(), "-ext", "bc:c",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        Path ca = dir.resolve("ca.crt");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", PASSWORD,
                "-file", ca.toString());
        return new TestPki(store, keyAlgorithm, size, ca);
    }

    Path caCertificate() {
        return caCertificate;
    }

    /**
     * A server certificate for {@code dnsNames} signed by this CA, written into {@code secret} as
     * cert-manager writes its Secret's keys: tls.crt, tls.key and ca.crt.
     */
    Path issue(Path secret, String alias, List<String> dnsNames) throws Exception {
        Files.createDirectories(secret);
        keytool("-genkeypair", "-alias", alias, "-keyalg", keyAlgorithm, "-keysize", String.valueOf(keySize),
                "-validity", "2", "-dname", "CN=" + dnsNames.get(0), "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        Path request = secret.resolveSibling(alias + ".csr");
        keytool("-certreq", "-alias", alias, "-keystore", store.toString(), "-storepass", PASSWORD,
                "-file", request.toString());
        String san = dnsNames.stream().map(n -> "dns:" + n).collect(Collectors.joining(","));
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", PASSWORD,
                "-infile", request.toString(), "-outfile", secret.resolve("tls.crt").toString(), "-validity", "2",
                "-ext", "san=" + san, "-ext", "eku=serverAuth");
        Files.writeString(secret.resolve("tls.key"), pem("PRIVATE KEY", privateKey(alias)));
        Files.copy(caCertificate, secret.resolve("ca.crt"));
        return secret;
    }

    private byte[] privateKey(String alias) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks.getKey(alias, PASSWORD.toCharArray()).getEncoded(); // PKCS#8
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // A short-lived JVM: these flags halve keytool's start on a small machine.
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool %s finished", args[0]).isTrue();
        assertThat(p.exitValue()).as("keytool %s: %s", String.join(" ", args), out).isZero();
    }
}
