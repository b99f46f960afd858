package org.jamesproxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.PemFiles;
import org.jamesproxy.tls.pki.Pkcs12KeyStores;
import org.jamesproxy.tls.pki.SelfSignedCertificates;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.jamesproxy.tls.pki.TrustStores;
import org.jamesproxy.tls.pki.Validity;

/**
 * The certificates of a relay test: one CA that both the test clients and the proxy's upstream leg trust, the
 * Proxy Server certificate (PKCS12 file) and the fake upstream's certificates (good, wrong host, self-signed, expired).
 * Key generation is the slow part, so one instance is shared per JVM.
 */
public final class TestPki {
    public static final String SECRET = "changeit";

    private static TestPki shared;

    public static synchronized TestPki shared() {
        if (shared == null) {
            try {
                Path directory = Files.createTempDirectory("imap-relay-pki");
                directory.toFile().deleteOnExit();
                shared = new TestPki(directory);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    private final CertificateAuthority ca;
    private final Path proxyKeyStore;
    private final Path caPem;
    private final IssuedCertificate upstreamGood;
    private IssuedCertificate wrongHost;
    private IssuedCertificate selfSigned;
    private IssuedCertificate expired;

    private TestPki(Path directory) {
        this.ca = CertificateAuthority.create("CN=Relay Test CA");
        this.proxyKeyStore = Pkcs12KeyStores.write(ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1")),
            directory.resolve("proxy.p12"), "proxy", SECRET.toCharArray());
        this.caPem = PemFiles.writeCertificate(ca.certificate(), directory.resolve("ca.pem"));
        this.upstreamGood = ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
    }

    public Path proxyKeyStore() {
        return proxyKeyStore;
    }

    public Path caPem() {
        return caPem;
    }

    public SSLContext clientContext() {
        return TrustStores.clientContext(TrustStores.of(ca));
    }

    public IssuedCertificate upstreamCertificate() {
        return upstreamGood;
    }

    public synchronized IssuedCertificate wrongHostCertificate() {
        if (wrongHost == null) {
            wrongHost = ca.issueServerCertificate(List.of("mail.wrong.example"), List.of());
        }
        return wrongHost;
    }

    public synchronized IssuedCertificate selfSignedCertificate() {
        if (selfSigned == null) {
            selfSigned = SelfSignedCertificates.issue(ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1").build());
        }
        return selfSigned;
    }

    public synchronized IssuedCertificate expiredCertificate() {
        if (expired == null) {
            Instant now = Instant.now();
            expired = ca.issue(ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1")
                .validity(Validity.between(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))))
                .build());
        }
        return expired;
    }

    /** A server-side context presenting {@code certificate}. */
    public static SSLContext serverContext(IssuedCertificate certificate) {
        try {
            KeyStore keyStore = Pkcs12KeyStores.keyStore(certificate, "server", SECRET.toCharArray());
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, SECRET.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
