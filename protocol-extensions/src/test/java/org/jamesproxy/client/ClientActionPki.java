package org.jamesproxy.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.jamesproxy.testing.FileUrlFileSystem;
import org.jamesproxy.testing.TestPki;
import org.jamesproxy.tls.authority.HostCertificates;
import org.jamesproxy.tls.authority.ProxyAuthority;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.verify.HostNames;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.PemFiles;
import org.jamesproxy.tls.pki.TrustStores;

/**
 * The two authorities of an outbound (client-action) test: a "public" CA that signs the real upstreams' certificates
 * for {@code *.upstream.test} (the proxy's upstream leg trusts it), and the Proxy Authority that mints what clients
 * see (the clients trust only it). Names under {@code upstream.test} resolve to loopback, where the fakes listen.
 */
public final class ClientActionPki {
    public static final String PUBLIC_CA_DN = "CN=Public Upstream CA";
    public static final String PROXY_AUTHORITY_DN = "CN=Test Proxy Authority";
    public static final DestinationResolver LOOPBACK_RESOLVER = name -> {
        if (name.endsWith(".upstream.test")) {
            return InetAddress.getLoopbackAddress();
        }
        throw new UnknownHostException(name + " (only *.upstream.test resolves in this test)");
    };
    private static final AtomicInteger JMX_NAMES = new AtomicInteger();

    private static ClientActionPki shared;

    public static synchronized ClientActionPki shared() {
        if (shared == null) {
            shared = new ClientActionPki();
        }
        return shared;
    }

    private final CertificateAuthority publicCa = CertificateAuthority.create(PUBLIC_CA_DN);
    private final CertificateAuthority proxyAuthority = CertificateAuthority.create(PROXY_AUTHORITY_DN);
    private final IssuedCertificate upstreamCertificate = publicCa.issueServerCertificate(
        List.of("*.upstream.test", "upstream.test"), List.of());
    private final Path publicCaPem;

    private ClientActionPki() {
        try {
            Path directory = Files.createTempDirectory("client-action-pki");
            directory.toFile().deleteOnExit();
            publicCaPem = PemFiles.writeCertificate(publicCa.certificate(), directory.resolve("public-ca.pem"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a real upstream presents: a certificate for *.upstream.test from the public CA. */
    public SSLContext upstreamContext() {
        return TestPki.serverContext(upstreamCertificate);
    }

    /** The upstream leg's trust store element content (the public CA as PEM). */
    public String publicCaUrl() {
        return FileUrlFileSystem.url(publicCaPem);
    }

    public HostCertificates hostCertificates() {
        return ProxyAuthority.create(proxyAuthority);
    }

    /** A device of the organisation: trusts the Proxy Authority only. */
    public SSLContext clientTrustingProxyAuthority() {
        return TrustStores.clientContext(TrustStores.of(proxyAuthority));
    }

    /** A client trusting the public CA only: what an {@code allow} destination must satisfy (its own certificate). */
    public SSLContext clientTrustingPublicCa() {
        return TrustStores.clientContext(TrustStores.of(publicCa));
    }

    /**
     * A client-action policy element, bound on 127.0.0.1:0, without a Proxy Server certificate.
     *
     * @param upstream the inside of {@code <upstream>}
     * @param clientAction the inside of {@code <clientAction>}
     */
    public static String policy(String element, String tlsSupport, String upstream, String clientAction) {
        return "<" + element + "><name>outbound</name>"
            + "<proxyActionDirection>client</proxyActionDirection>"
            + "<tlsSupport>" + tlsSupport + "</tlsSupport>"
            + "<bind>127.0.0.1:0</bind><tlsBind>127.0.0.1:0</tlsBind>"
            + "<jmxName>" + element + "-clientaction-" + JMX_NAMES.incrementAndGet() + "</jmxName>"
            + "<helloName autodetect=\"false\">proxy.test</helloName><gracefulShutdown>false</gracefulShutdown>"
            + "<upstream>" + upstream + "<connectTimeout>2s</connectTimeout></upstream>"
            + "<clientAction>" + clientAction + "</clientAction>"
            + "</" + element + ">";
    }

    public static X509Certificate peerCertificate(SSLSocket socket) throws Exception {
        SSLSession session = socket.getSession();
        return (X509Certificate) session.getPeerCertificates()[0];
    }

    /**
     * The leaf the Proxy Authority minted copies the real upstream's names ({@code *.upstream.test},
     * {@code upstream.test}), so it covers the name the client asked for.
     */
    public static void assertMintedFor(X509Certificate certificate, String name) throws CertificateParsingException {
        assertThat(dnsNames(certificate)).contains("*.upstream.test", "upstream.test");
        assertThat(HostNames.matches(certificate, name)).as("the minted certificate covers " + name).isTrue();
    }

    public static List<String> dnsNames(X509Certificate certificate) throws CertificateParsingException {
        return certificate.getSubjectAlternativeNames().stream()
            .filter(name -> Integer.valueOf(2).equals(name.get(0)))
            .map(name -> ((String) name.get(1)).toLowerCase(Locale.US))
            .toList();
    }
}
