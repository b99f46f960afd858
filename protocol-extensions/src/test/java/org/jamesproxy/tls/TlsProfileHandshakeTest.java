package org.jamesproxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.KeyAlgorithm;
import org.jamesproxy.tls.pki.Pkcs12KeyStores;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.jamesproxy.tls.pki.TrustStores;
import org.junit.jupiter.api.Test;

/** A client-leg profile really enforced by ServerTlsContext's handlers. */
class TlsProfileHandshakeTest {
    private static final CertificateAuthority CA = CertificateAuthority.create("CN=Profile CA", KeyAlgorithm.RSA_2048);
    // RSA, so that static-RSA suites are possible at all and the PFS rule is what refuses them.
    private static final IssuedCertificate SERVER = CA.issue(ServerCertificateRequest.forNames("proxy.example.com")
        .keyAlgorithm(KeyAlgorithm.RSA_2048).build());
    private static final String[] NON_PFS = {"TLS_RSA_WITH_AES_128_GCM_SHA256"};

    private static ServerTlsContext serverContext(TlsProfile profile) throws Exception {
        KeyStore keyStore = Pkcs12KeyStores.keyStore(SERVER, "proxy", "secret".toCharArray());
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, "secret".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return new ServerTlsContext(context, profile);
    }

    private static NettyTlsServer serve(TlsProfile profile) throws Exception {
        ServerTlsContext context = serverContext(profile);
        return NettyTlsServer.start(channel -> context.newHandler(channel.alloc()));
    }

    @Test
    void aNonPfsSuiteIsAcceptedWhenPfsIsAllowed() throws Exception {
        try (NettyTlsServer server = serve(TlsProfile.SERVER_STANDARD_PROFILE.withPfs(TlsProfile.Pfs.ALLOWED))) {
            TlsClients.Result result = TlsClients.connect(server.port(), "proxy.example.com", TrustStores.of(CA),
                new String[]{"TLSv1.2"}, NON_PFS);

            assertThat(result.cipherSuite).isEqualTo(NON_PFS[0]);
        }
    }

    @Test
    void theServerStandardProfileRequiresPfs() {
        assertThat(TlsProfile.SERVER_STANDARD_PROFILE.getPfs()).isEqualTo(TlsProfile.Pfs.REQUIRED);
    }

    @Test
    void pfsRequiredRefusesAClientOfferingOnlyANonPfsSuite() throws Exception {
        try (NettyTlsServer server = serve(TlsProfile.SERVER_STANDARD_PROFILE)) {
            assertThatThrownBy(() -> TlsClients.connect(server.port(), "proxy.example.com", TrustStores.of(CA),
                new String[]{"TLSv1.2"}, NON_PFS))
                .isInstanceOf(SSLHandshakeException.class);
            TlsClients.Result pfs = TlsClients.connect(server.port(), "proxy.example.com", TrustStores.of(CA), "TLSv1.2");
            assertThat(pfs.cipherSuite).contains("_ECDHE_");
            assertThat(TlsClients.connect(server.port(), "proxy.example.com", TrustStores.of(CA), "TLSv1.3").protocol)
                .isEqualTo("TLSv1.3");
        }
    }

    @Test
    void pfsNoneOffersOnlyStaticRsaOnTls12() throws Exception {
        try (NettyTlsServer server = serve(TlsProfile.SERVER_STANDARD_PROFILE.withPfs(TlsProfile.Pfs.NONE))) {
            TlsClients.Result result = TlsClients.connect(server.port(), "proxy.example.com", TrustStores.of(CA),
                new String[]{"TLSv1.2", "TLSv1.3"}, null);

            assertThat(result.protocol).isEqualTo("TLSv1.2");
            assertThat(result.cipherSuite).startsWith("TLS_RSA_WITH_");
        }
    }

    @Test
    void aTls11ClientHelloIsRefusedByATls12Profile() throws Exception {
        // The JDK client cannot even offer TLS 1.1 any more (java.security disables it), so the ClientHello is
        // written by hand: TLS 1.1, two ordinary TLS 1.1 suites, no extensions.
        try (NettyTlsServer server = serve(TlsProfile.SERVER_STANDARD_PROFILE);
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(clientHello((byte) 0x02));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] header = new byte[5];
            in.readFully(header);
            byte[] body = new byte[((header[3] & 0xff) << 8) | (header[4] & 0xff)];
            in.readFully(body);

            assertThat(header[0]).as("record type: alert").isEqualTo((byte) 21);
            assertThat(body).as("fatal protocol_version").containsExactly(2, 70);
            assertThat(server.failures()).hasSize(1);
        }
        // And the same server speaks TLS 1.2 to a 1.2 client.
        try (NettyTlsServer server = serve(TlsProfile.SERVER_STANDARD_PROFILE)) {
            assertThat(TlsClients.connect(server.port(), "proxy.example.com", TrustStores.of(CA), "TLSv1.2").protocol).isEqualTo("TLSv1.2");
        }
    }

    private static byte[] clientHello(byte minorVersion) {
        List<Integer> suites = List.of(0xc013, 0x002f);
        ByteBuffer hello = ByteBuffer.allocate(512);
        hello.put((byte) 3).put(minorVersion);
        hello.put(new byte[32]);
        hello.put((byte) 0);
        hello.putShort((short) (suites.size() * 2));
        suites.forEach(suite -> hello.putShort((short) (int) suite));
        hello.put((byte) 1).put((byte) 0);
        hello.flip();
        int length = hello.remaining();
        ByteBuffer record = ByteBuffer.allocate(9 + length);
        record.put((byte) 22).put((byte) 3).put((byte) 1).putShort((short) (4 + length));
        record.put((byte) 1).put((byte) 0).putShort((short) length);
        record.put(hello);
        return record.array();
    }
}
