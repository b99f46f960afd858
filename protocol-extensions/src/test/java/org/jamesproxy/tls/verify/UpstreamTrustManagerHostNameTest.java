package org.jamesproxy.tls.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential test of {@link UpstreamTrustManager}'s host-name matching ({@link HostNames}) against the JDK's own
 * endpoint identification: the same certificate and host go through a real TLS handshake (in memory, two
 * {@link SSLEngine}s) once with the JDK's PKIX trust manager and {@code setEndpointIdentificationAlgorithm("HTTPS")},
 * once with ours (which checks the engine's peer host); ours is also asked directly ({@link UpstreamTrustManager#verify}).
 * The table says what each must answer. Where the answers differ, the case names why: ours follows RFC 6125 / RFC
 * 9525 more strictly than the JDK (partial wildcards, a wildcard outside the left-most label or over a single
 * label), or treats a SAN in the absolute DNS form {@code name.} as the name it is, or the JDK accepts a URI-style
 * {@code [v6]} host. The IDN cases found that ours compared a U-label host with the A-label SAN as strings (fixed in
 * {@link HostNames}: RFC 6125 6.4.2 requires the conversion).
 *
 * <p>The certificates are made here with Bouncy Castle so that any SAN/CN combination (including a CN-only
 * certificate without any SubjectAltName) can be issued; all are signed by one private CA, which never chains to
 * the JDK's cacerts (so the JDK's public-suffix check for wildcards does not apply, see {@code *.com}).</p>
 */
class UpstreamTrustManagerHostNameTest {
    private static final String ISSUER_DN = "CN=Host Name Differential CA";
    private static final AtomicLong SERIAL = new AtomicLong(1000);

    private static CertificateAuthority ca;
    private static IssuedCertificate caKeys;
    private static KeyPair leafKey;
    private static X509ExtendedTrustManager jdkTrustManager;
    private static UpstreamTrustManager ours;

    /** A SubjectAltName: DNS or IP. */
    record San(int tag, String value) {
        static San dns(String name) {
            return new San(GeneralName.dNSName, name);
        }

        static San ip(String address) {
            return new San(GeneralName.iPAddress, address);
        }

        @Override
        public String toString() {
            return (tag == GeneralName.dNSName ? "DNS:" : "IP:") + value;
        }
    }

    /**
     * @param sans          the certificate's SubjectAltNames; empty: no SubjectAltName extension at all
     * @param commonName    the subject CN, or null for a subject without CN
     * @param host          the host the client wants (the engine's peer host)
     * @param jdk           whether the JDK's HTTPS endpoint identification accepts it
     * @param ours          whether UpstreamTrustManager accepts it
     * @param whyDifferent  why ours deliberately answers otherwise (required exactly when jdk != ours)
     */
    record Case(String name, List<San> sans, String commonName, String host, boolean jdk, boolean ours, String whyDifferent) {
        static Case same(String name, List<San> sans, String commonName, String host, boolean matches) {
            return new Case(name, sans, commonName, host, matches, matches, null);
        }

        static Case differs(String name, List<San> sans, String commonName, String host, boolean jdk, String why) {
            return new Case(name, sans, commonName, host, jdk, !jdk, why);
        }

        @Override
        public String toString() {
            return name + ": " + sans + " CN=" + commonName + " vs '" + host + "'";
        }
    }

    static Stream<Case> cases() {
        String cn = "mail.example.com";
        return Stream.of(
            Case.same("exact DNS name", List.of(San.dns("mail.example.com")), cn, "mail.example.com", true),
            Case.same("another name", List.of(San.dns("mail.example.com")), cn, "imap.example.com", false),
            Case.same("parent domain", List.of(San.dns("mail.example.com")), cn, "example.com", false),
            Case.same("sub-domain of the name", List.of(San.dns("mail.example.com")), cn, "a.mail.example.com", false),
            Case.same("second of several SANs", List.of(San.dns("a.example.com"), San.dns("mail.example.com")), cn, "mail.example.com", true),
            Case.same("upper-case SAN", List.of(San.dns("MAIL.Example.COM")), cn, "mail.example.com", true),
            Case.same("upper-case host", List.of(San.dns("mail.example.com")), cn, "MAIL.EXAMPLE.com", true),

            Case.same("wildcard, one label", List.of(San.dns("*.example.com")), cn, "a.example.com", true),
            Case.same("wildcard, upper-case host", List.of(San.dns("*.example.com")), cn, "A.EXAMPLE.COM", true),
            Case.same("wildcard, two labels", List.of(San.dns("*.example.com")), cn, "a.b.example.com", false),
            Case.same("wildcard, the apex itself", List.of(San.dns("*.example.com")), cn, "example.com", false),
            Case.same("wildcard, other domain", List.of(San.dns("*.example.com")), cn, "a.example.org", false),
            Case.differs("wildcard not left-most", List.of(San.dns("a.*.example.com")), cn, "a.b.example.com", true,
                "RFC 6125 6.4.3 / RFC 9525 6.3: a wildcard only in the left-most label; the JDK's TLS check follows RFC"
                    + " 2818, where '*' may stand for any label"),
            Case.same("wildcard not left-most, other label count", List.of(San.dns("a.*.example.com")), cn, "a.example.com", false),
            Case.same("wildcard alone", List.of(San.dns("*")), cn, "localhost", false),
            Case.same("partial wildcard, no match either way", List.of(San.dns("f*.example.com")), cn, "bar.example.com", false),
            Case.differs("partial wildcard f*", List.of(San.dns("f*.example.com")), cn, "foo.example.com", true,
                "RFC 9525 6.3 (and the CA/Browser Forum rules): '*' only as the whole left-most label; RFC 6125 6.4.3"
                    + " merely allowed partial wildcards, the JDK still does"),
            Case.differs("partial wildcard *o", List.of(San.dns("*o.example.com")), cn, "foo.example.com", true,
                "as f*: a partial wildcard is never honoured"),
            Case.differs("wildcard over a single label (*.com)", List.of(San.dns("*.com")), cn, "example.com", true,
                "RFC 6125 7.2: no wildcard over a public suffix; ours refuses a wildcard with fewer than two labels after"
                    + " it, the JDK checks the public-suffix list only for certificates that chain to its cacerts"),

            Case.same("trailing dot in the host (absolute DNS name)", List.of(San.dns("mail.example.com")), cn, "mail.example.com.", true),
            Case.differs("trailing dot in the SAN", List.of(San.dns("mail.example.com.")), cn, "mail.example.com", false,
                "'mail.example.com.' is the absolute form of the same DNS name (RFC 1034 3.1), as the JDK itself"
                    + " accepts for the host; the JDK refuses the SAN as not a valid SNI host name"),

            Case.same("IDN: A-label host and SAN", List.of(San.dns("xn--bcher-kva.example")), "xn--bcher-kva.example",
                "xn--bcher-kva.example", true),
            Case.same("IDN: U-label host, A-label SAN", List.of(San.dns("xn--bcher-kva.example")), "xn--bcher-kva.example",
                "bücher.example", true),
            Case.same("IDN: upper-case U-label host", List.of(San.dns("xn--bcher-kva.example")), "xn--bcher-kva.example",
                "BÜCHER.example", true),
            Case.same("IDN: wildcard over an A-label", List.of(San.dns("*.xn--bcher-kva.example")), "xn--bcher-kva.example",
                "mail.bücher.example", true),
            Case.same("IDN: other A-label", List.of(San.dns("xn--bcher-kva.example")), "xn--bcher-kva.example",
                "bucher.example", false),

            Case.same("IPv4 SAN", List.of(San.ip("192.0.2.7")), null, "192.0.2.7", true),
            Case.same("other IPv4", List.of(San.ip("192.0.2.7")), null, "192.0.2.8", false),
            Case.same("IPv4 host, only a DNS SAN spelling it", List.of(San.dns("192.0.2.7")), null, "192.0.2.7", false),
            Case.same("IPv4 host, CN spelling it", List.of(), "192.0.2.7", "192.0.2.7", false),
            Case.same("IPv4 host vs wildcard", List.of(San.dns("*.0.2.7")), null, "192.0.2.7", false),
            Case.same("IPv6 SAN, short host", List.of(San.ip("::1")), null, "::1", true),
            Case.same("IPv6 SAN, long host", List.of(San.ip("::1")), null, "0:0:0:0:0:0:0:1", true),
            Case.differs("IPv6 host in URI brackets", List.of(San.ip("::1")), null, "[::1]", true,
                "a host name is not a URI: '[::1]' is no IP literal (and the proxy never has one: UpstreamTlsContext"
                    + " cannot make an SNI name of it); the JDK strips the brackets"),
            Case.same("DNS host, only an IP SAN, CN is the name", List.of(San.ip("192.0.2.7")), cn, "mail.example.com", true),

            Case.same("CN only, no SubjectAltName", List.of(), cn, "mail.example.com", true),
            Case.same("CN only, other host", List.of(), cn, "imap.example.com", false),
            Case.same("CN only, wildcard", List.of(), "*.example.com", "a.example.com", true),
            Case.same("CN ignored when a DNS SAN exists", List.of(San.dns("other.example.com")), cn, "mail.example.com", false),
            Case.same("no SAN, no CN", List.of(), null, "mail.example.com", false));
    }

    @BeforeAll
    static void pki() throws Exception {
        ca = CertificateAuthority.create(ISSUER_DN);
        caKeys = ca.asIssuedCertificate();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        leafKey = generator.generateKeyPair();

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(trust);
        jdkTrustManager = (X509ExtendedTrustManager) factory.getTrustManagers()[0];
        ours = new UpstreamTrustManager(UpstreamTrustManager.anchors(trust), TlsProfile.CLIENT_STANDARD_PROFILE, Clock.systemUTC());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostNameMatchingShouldAgreeWithTheJdkOrSayWhyNot(Case c) throws Exception {
        X509Certificate[] chain = {leaf(c), ca.certificate()};

        Optional<Exception> jdk = handshake(jdkTrustManager, chain, c.host());
        Optional<Exception> viaHandshake = handshake(ours, chain, c.host());
        CertificateVerdict verdict = ours.verify(chain, c.host());

        assertThat(jdk).as("JDK HTTPS endpoint identification: %s", jdk).matches(failure -> failure.isEmpty() == c.jdk());
        jdk.ifPresent(failure -> assertThat(rootCause(failure)).isInstanceOf(CertificateException.class));
        assertThat(viaHandshake).as("UpstreamTrustManager in a handshake: %s", viaHandshake)
            .matches(failure -> failure.isEmpty() == c.ours());
        assertThat(verdict.getFailures()).as("UpstreamTrustManager.verify")
            .containsOnlyKeys(c.ours() ? List.of() : List.of(TlsProfile.FailureKind.HOST_MISMATCH));
        assertThat(c.whyDifferent() != null).as("a reason is given exactly where ours differs").isEqualTo(c.jdk() != c.ours());
    }

    @Test
    void tableShouldCoverBothAnswersAndSomeDeliberateDifferences() {
        assertThat(cases().filter(Case::ours)).isNotEmpty();
        assertThat(cases().filter(c -> !c.ours())).isNotEmpty();
        assertThat(cases().filter(c -> c.jdk() != c.ours())).hasSizeGreaterThanOrEqualTo(5);
    }

    private static X509Certificate leaf(Case c) throws Exception {
        Instant now = Instant.now();
        X500Principal subject = c.commonName() == null ? new X500Principal("O=Host Name Differential")
            : new X500Principal("CN=" + c.commonName() + ", O=Host Name Differential");
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(),
            BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(1))), subject, leafKey.getPublic());
        if (!c.sans().isEmpty()) {
            List<GeneralName> names = new ArrayList<>();
            c.sans().forEach(san -> names.add(new GeneralName(san.tag(), san.value())));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
        }
        String algorithm = "EC".equals(caKeys.privateKey().getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter()
            .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(caKeys.privateKey())));
    }

    /** A TLS 1.3 handshake in memory toward {@code host}; @return the client's failure, empty when it succeeded */
    private static Optional<Exception> handshake(X509ExtendedTrustManager trustManager, X509Certificate[] chain, String host)
        throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("leaf", leafKey.getPrivate(), "x".toCharArray(), chain);
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "x".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLSv1.3");
        serverContext.init(keyManagers.getKeyManagers(), null, null);
        SSLContext clientContext = SSLContext.getInstance("TLSv1.3");
        clientContext.init(null, new TrustManager[] {trustManager}, null);

        SSLEngine client = clientContext.createSSLEngine(host, 993);
        client.setUseClientMode(true);
        SSLParameters parameters = client.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        client.setSSLParameters(parameters);
        SSLEngine server = serverContext.createSSLEngine();
        server.setUseClientMode(false);

        ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
        ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
        client.beginHandshake();
        server.beginHandshake();
        for (int step = 0; step < 200; step++) {
            try {
                advance(client, toClient, toServer);
            } catch (SSLException e) {
                return Optional.of(e);
            }
            try {
                advance(server, toServer, toClient);
            } catch (SSLException e) {
                // The server fails only after the client refused (its alert): the client's side is the answer.
                return Optional.of(new IllegalStateException("server side failed first", e));
            }
            if (done(client) && done(server)) {
                return Optional.empty();
            }
        }
        throw new AssertionError("handshake toward " + host + " did not finish");
    }

    private static boolean done(SSLEngine engine) {
        SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
        return status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || status == SSLEngineResult.HandshakeStatus.FINISHED;
    }

    private static void advance(SSLEngine engine, ByteBuffer in, ByteBuffer out) throws SSLException {
        ByteBuffer application = ByteBuffer.allocate(1 << 17);
        for (int round = 0; round < 20; round++) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP:
                    engine.wrap(ByteBuffer.allocate(0), out);
                    break;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    in.flip();
                    SSLEngineResult result = engine.unwrap(in, application);
                    in.compact();
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || result.bytesConsumed() == 0) {
                        return;
                    }
                    break;
                case NEED_TASK:
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    break;
                default:
                    return;
            }
        }
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
