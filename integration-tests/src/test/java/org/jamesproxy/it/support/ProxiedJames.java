package org.jamesproxy.it.support;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.demo.JamesPorts;
import org.jamesproxy.demo.ProxySettings;
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
    public final int jamesPop3 = FreePorts.next();
    public final int jamesPop3s = FreePorts.next();
    /** James's listeners behind the proxy ({@code proxyRequired}); written only by {@link #behindProxyHome}. */
    public final int jamesSmtpBehindProxy = FreePorts.next();
    public final int jamesImapsBehindProxy = FreePorts.next();
    public final int jamesPop3sBehindProxy = FreePorts.next();

    public JamesHome.Builder home(Path root) {
        return JamesHome.builder(root)
            .ports(JamesPorts.builder().imap(jamesImap).imaps(jamesImaps).smtp(jamesSmtp).build())
            .serverCertificate(serverCertificate)
            .domain(DOMAIN);
    }

    /**
     * Like {@link #home(Path)}, plus James's listeners for the proxy only (SMTP, IMAPS, POP3S with
     * {@code proxyRequired}; SMTP relaying only after AUTH), as the demo has them.
     */
    public JamesHome.Builder behindProxyHome(Path root) {
        return JamesHome.builder(root)
            .ports(JamesPorts.builder().imap(jamesImap).imaps(jamesImaps).smtp(jamesSmtp)
                .smtpBehindProxy(jamesSmtpBehindProxy).imapsBehindProxy(jamesImapsBehindProxy)
                .pop3sBehindProxy(jamesPop3sBehindProxy).build())
            .serverCertificate(serverCertificate)
            .domain(DOMAIN)
            .pluginEnabled(true);
    }

    /** Like {@link #home(Path)}, with James's POP3 (plain + STLS) and POP3S listeners enabled too. */
    public JamesHome.Builder pop3Home(Path root) {
        return JamesHome.builder(root)
            .ports(JamesPorts.builder().imap(jamesImap).imaps(jamesImaps).smtp(jamesSmtp).pop3(jamesPop3).pop3s(jamesPop3s).build())
            .serverCertificate(serverCertificate)
            .domain(DOMAIN)
            .pluginEnabled(true);
    }

    /**
     * A {@code <pop3proxy>} element toward this James's POP3S, verified against the test CA (written as
     * {@code conf/ca.pem} by {@link #writePop3ProxyXml}), presenting James's own certificate ({@code conf/keystore}).
     */
    public String pop3ProxyToJames(JamesHome home, String name, int plainPort, int tlsPort, String extra) {
        return "<pop3proxy><name>" + name + "</name><tlsSupport>enabled</tlsSupport>"
            + "<bind>127.0.0.1:" + plainPort + "</bind><tlsBind>127.0.0.1:" + tlsPort + "</tlsBind>"
            + "<jmxName>pop3proxy-" + name + "</jmxName><helloName autodetect=\"false\">pop3proxy.test</helloName>"
            + "<tls><keystore>file://conf/keystore</keystore><keystoreType>PKCS12</keystoreType><secret>"
            + home.keystoreSecret() + "</secret></tls>"
            + "<upstream><host>localhost</host><port>" + jamesPop3s + "</port><tls>implicit</tls>"
            + "<trustStore>file://conf/ca.pem</trustStore><expectedHostName>localhost</expectedHostName></upstream>"
            + extra + "</pop3proxy>";
    }

    /** Replaces the home's conf/mailproxy.xml (JamesHome renders only IMAP policies) and writes conf/ca.pem. */
    public void writePop3ProxyXml(JamesHome home, String proxyActionsXml, String... policies) {
        writeCaPem(home.confDirectory());
        try {
            java.nio.file.Files.writeString(home.mailProxyXml(), "<?xml version=\"1.0\"?>\n<mailproxy>\n<proxyActions>"
                + proxyActionsXml + "</proxyActions>\n" + String.join("\n", policies) + "\n</mailproxy>\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A proxy policy toward this James's implicit-TLS IMAP, verified against the test CA with host name "localhost". */
    public ProxySettings.Builder proxyToJames(String name, int plainPort, int tlsPort) {
        return ProxySettings.imap(name)
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
