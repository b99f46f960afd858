package org.jamesproxy.tls.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.jamesproxy.config.ProxyAuthorityConfig;
import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.testing.FileUrlFileSystem;
import org.jamesproxy.tls.NettyTlsServer;
import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.tls.TlsClients;
import org.jamesproxy.tls.authority.ProxyAuthorityFiles;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.PemFiles;
import org.jamesproxy.tls.pki.Pkcs12KeyStores;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.jamesproxy.tls.pki.TrustStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateReloadTest {
    private static final CertificateAuthority CA = CertificateAuthority.create("CN=Reload CA");
    private static final String HOST = "proxy.example.com";

    @TempDir
    Path directory;

    private Path keyStore() {
        return directory.resolve("keystore.p12");
    }

    private IssuedCertificate writeCertificate() throws Exception {
        IssuedCertificate issued = CA.issue(ServerCertificateRequest.forNames(HOST).build());
        FileTime before = Files.exists(keyStore()) ? Files.getLastModifiedTime(keyStore()) : null;
        Pkcs12KeyStores.write(issued, keyStore(), "proxy", "secret".toCharArray());
        touchAfter(keyStore(), before);
        return issued;
    }

    /** File systems with a coarse clock could keep the old modification time: make the change visible. */
    private static void touchAfter(Path file, FileTime before) throws Exception {
        if (before != null) {
            Files.setLastModifiedTime(file, FileTime.from(before.toInstant().plusSeconds(2)));
        }
    }

    private ServerTlsContext load(Duration checkInterval) throws Exception {
        BaseHierarchicalConfiguration policy = new BaseHierarchicalConfiguration();
        policy.addProperty("tls.keystore", FileUrlFileSystem.url(keyStore()));
        policy.addProperty("tls.keystoreType", "PKCS12");
        policy.addProperty("tls.secret", "secret");
        return ServerTlsContext.load(new FileUrlFileSystem(directory), policy, "mailproxy.imapproxy[0]",
            TlsProfile.SERVER_STANDARD_PROFILE, checkInterval);
    }

    private static BigInteger servedSerial(NettyTlsServer server) throws Exception {
        return TlsClients.connect(server.port(), HOST, TrustStores.of(CA), "TLSv1.3").peerChain[0].getSerialNumber();
    }

    @Test
    void aNewCertificateIsServedOnTheNextConnection() throws Exception {
        IssuedCertificate first = writeCertificate();
        ServerTlsContext context = load(Duration.ofMillis(1));
        try (NettyTlsServer server = NettyTlsServer.start(channel -> context.newHandler(channel.alloc()))) {
            assertThat(servedSerial(server)).isEqualTo(first.certificate().getSerialNumber());

            IssuedCertificate second = writeCertificate();
            Thread.sleep(5);

            assertThat(servedSerial(server)).isEqualTo(second.certificate().getSerialNumber());
        }
    }

    @Test
    void aBrokenFileKeepsTheOldCertificate() throws Exception {
        IssuedCertificate first = writeCertificate();
        ServerTlsContext context = load(Duration.ofMillis(1));
        try (NettyTlsServer server = NettyTlsServer.start(channel -> context.newHandler(channel.alloc()))) {
            FileTime before = Files.getLastModifiedTime(keyStore());
            Files.writeString(keyStore(), "half a key store");
            touchAfter(keyStore(), before);
            Thread.sleep(5);

            assertThat(servedSerial(server)).isEqualTo(first.certificate().getSerialNumber());
            assertThat(servedSerial(server)).isEqualTo(first.certificate().getSerialNumber());
        }
    }

    @Test
    void theJmxOperationReloadsAtOnce() throws Exception {
        IssuedCertificate first = writeCertificate();
        ServerTlsContext context = load(Duration.ofHours(1));
        CertificateReloader reloader = new CertificateReloader();
        reloader.register(context.material().orElseThrow());
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        reloader.registerMBean(mbeans);
        try (NettyTlsServer server = NettyTlsServer.start(channel -> context.newHandler(channel.alloc()))) {
            IssuedCertificate second = writeCertificate();
            assertThat(servedSerial(server)).as("not checked again within the hour").isEqualTo(first.certificate().getSerialNumber());

            String answer = (String) mbeans.invoke(new ObjectName(CertificateReloader.OBJECT_NAME), "reloadCertificates",
                new Object[0], new String[0]);

            assertThat(answer).contains("mailproxy.imapproxy[0].tls").contains("reloaded").contains("CN=" + HOST);
            assertThat(servedSerial(server)).isEqualTo(second.certificate().getSerialNumber());
            assertThat((String[]) mbeans.getAttribute(new ObjectName(CertificateReloader.OBJECT_NAME), "Certificates"))
                .singleElement().asString().contains("CN=" + HOST).contains(keyStore().toString());
        } finally {
            reloader.unregisterMBean();
        }
        assertThat(mbeans.isRegistered(new ObjectName(CertificateReloader.OBJECT_NAME))).isFalse();
    }

    @Test
    void theProxyAuthorityIsReloadedFromPemFilesAndItsCacheCleared() throws Exception {
        Path key = directory.resolve("pa.key");
        Path certificate = directory.resolve("pa.crt");
        CertificateAuthority first = CertificateAuthority.create("CN=Proxy Authority 1");
        PemFiles.writePrivateKey(first.asIssuedCertificate(), key);
        PemFiles.writeCertificate(first.certificate(), certificate);
        ProxyAuthorityConfig config = new ProxyAuthorityConfig("mailproxy.proxyAuthority", Optional.empty(),
            ProxyAuthorityConfig.StoreType.PKCS12, Optional.empty(), Optional.empty(),
            Optional.of(FileUrlFileSystem.url(key)), Optional.of(FileUrlFileSystem.url(certificate)), Duration.ofDays(7), 100);
        ProxyAuthorityFiles authority = ProxyAuthorityFiles.load(new FileUrlFileSystem(directory), config, Duration.ofMillis(1));

        KeyStore.PrivateKeyEntry before = authority.forHost("imap.example.com", Optional.empty());
        assertThat(((X509Certificate) before.getCertificateChain()[1])).isEqualTo(first.certificate());

        CertificateAuthority second = CertificateAuthority.create("CN=Proxy Authority 2");
        FileTime keyTime = Files.getLastModifiedTime(key);
        FileTime certificateTime = Files.getLastModifiedTime(certificate);
        PemFiles.writePrivateKey(second.asIssuedCertificate(), key);
        PemFiles.writeCertificate(second.certificate(), certificate);
        touchAfter(key, keyTime);
        touchAfter(certificate, certificateTime);
        Thread.sleep(5);

        KeyStore.PrivateKeyEntry after = authority.forHost("imap.example.com", Optional.empty());
        assertThat(((X509Certificate) after.getCertificateChain()[1])).isEqualTo(second.certificate());
        ((X509Certificate) after.getCertificateChain()[0]).verify(second.certificate().getPublicKey());
        assertThat(authority.authority().mintCount()).isEqualTo(2);
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificateIsRefusedAndTheOldAuthorityKept() throws Exception {
        Path key = directory.resolve("pa.key");
        Path certificate = directory.resolve("pa.crt");
        CertificateAuthority first = CertificateAuthority.create("CN=Proxy Authority 1");
        PemFiles.writePrivateKey(first.asIssuedCertificate(), key);
        PemFiles.writeCertificate(first.certificate(), certificate);
        ProxyAuthorityConfig config = new ProxyAuthorityConfig("mailproxy.proxyAuthority", Optional.empty(),
            ProxyAuthorityConfig.StoreType.PKCS12, Optional.empty(), Optional.empty(),
            Optional.of(FileUrlFileSystem.url(key)), Optional.of(FileUrlFileSystem.url(certificate)), Duration.ofDays(7), 100);
        ProxyAuthorityFiles authority = ProxyAuthorityFiles.load(new FileUrlFileSystem(directory), config, Duration.ofHours(1));

        FileTime before = Files.getLastModifiedTime(certificate);
        PemFiles.writeCertificate(CertificateAuthority.create("CN=Someone Else", org.jamesproxy.tls.pki.KeyAlgorithm.RSA_2048).certificate(), certificate);
        touchAfter(certificate, before);
        ReloadableMaterial.Result result = authority.material().reload();

        assertThat(result.isChanged()).isFalse();
        assertThat(result.getMessage()).contains("reload failed").contains("keeping CN=Proxy Authority 1");
        assertThat(authority.authority().certificate()).isEqualTo(first.certificate());

        PemFiles.writeCertificate(CertificateAuthority.create("CN=Same Type Other Key").certificate(), certificate);
        ReloadableMaterial.Result sameType = authority.material().reload();

        assertThat(sameType.isChanged()).isFalse();
        assertThat(sameType.getMessage()).contains("does not belong to the CA certificate");
        assertThat(authority.authority().certificate()).isEqualTo(first.certificate());
    }
}
