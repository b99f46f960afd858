package org.jamesproxy.it.support;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.jamesproxy.demo.ImapProxySettings;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.demo.JamesPorts;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.PemFiles;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.jamesproxy.tls.pki.TrustStores;

/**
 * A James home whose own IMAP server is the upstream of our proxy, in the same James: the drop-in route
 * (extensions.properties + mailproxy.xml in a file-based conf directory), with certificates from a test CA.
 */
public final class ProxiedJames {
    public static final String DOMAIN = "demo.local";
    public static final String ALICE = "alice@" + DOMAIN;
    public static final String PASSWORD = "secret";

    public final CertificateAuthority ca = CertificateAuthority.create("CN=james-mail-proxy test CA");
    public final IssuedCertificate serverCertificate = ca.issue(ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1").build());
    public final int jamesImap = FreePorts.next();
    public final int jamesImaps = FreePorts.next();
    public final int jamesSmtp = FreePorts.next();

    public JamesHome.Builder home(Path root) {
        return JamesHome.builder(root)
            .ports(JamesPorts.builder().imap(jamesImap).imaps(jamesImaps).smtp(jamesSmtp).build())
            .serverCertificate(serverCertificate)
            .domain(DOMAIN);
    }

    /** A proxy policy toward this James's implicit-TLS IMAP, verified against the test CA with host name "localhost". */
    public ImapProxySettings.Builder proxyToJames(String name, int plainPort, int tlsPort) {
        return ImapProxySettings.builder(name)
            .bind("127.0.0.1:" + plainPort)
            .tlsBind("127.0.0.1:" + tlsPort)
            .proxyCertificate(serverCertificate)
            .upstream("localhost", jamesImaps, "implicit")
            .upstreamTrust(ca.certificate())
            .expectedHostName("localhost");
    }

    public SSLContext clientSslContext() throws Exception {
        return sslContextTrusting(ca.certificate());
    }

    public static SSLContext sslContextTrusting(X509Certificate anchor) throws Exception {
        KeyStore trustStore = TrustStores.of(List.of(anchor));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    public Path writeCaPem(Path directory) {
        return PemFiles.writeCertificate(ca.certificate(), directory.resolve("ca.pem"));
    }
}
