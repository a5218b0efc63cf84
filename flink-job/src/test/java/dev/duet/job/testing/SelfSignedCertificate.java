package dev.duet.job.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made with the JDK's keytool (no extra
 * library) and written as PEM files: the certificate doubles as the CA a client trusts.
 */
public record SelfSignedCertificate(Path certificate, Path privateKey) {

    public static SelfSignedCertificate create(Path dir, String commonName) throws Exception {
        Path store = dir.resolve(commonName + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "key",
                        "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=" + commonName,
                        "-ext", "san=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                        "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true)
                .start();
        byte[] log;
        try (InputStream out = p.getInputStream()) {
            log = out.readAllBytes();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + new String(log, StandardCharsets.UTF_8));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        Path cert = dir.resolve(commonName + "-cert.pem");
        Path key = dir.resolve(commonName + "-key.pem");
        Files.writeString(cert, pem("CERTIFICATE", ks.getCertificate("key").getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", ks.getKey("key", "changeit".toCharArray()).getEncoded()));
        return new SelfSignedCertificate(cert, key);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
