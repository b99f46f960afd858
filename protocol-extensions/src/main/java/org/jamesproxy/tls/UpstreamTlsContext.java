package org.jamesproxy.tls;

import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.config.TrustStoreConfig;
import org.jamesproxy.config.UpstreamConfig;
import org.jamesproxy.tls.verify.UpstreamTrustManager;

import com.google.common.net.InetAddresses;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;

/**
 * The upstream leg's TLS: the trust anchors for the real mail server and the leg's profile. Every handler it
 * makes checks the certificate chain, its validity, the expected host name (RFC 6125) and, when the profile says,
 * OCSP, with the profile's action per failure kind ({@link UpstreamTrustManager}); and sends SNI.
 */
public final class UpstreamTlsContext {
    public static UpstreamTlsContext load(FileSystem fileSystem, UpstreamConfig upstream, String upstreamPath) throws ConfigurationException {
        try {
            KeyStore trustStore = upstream.getTrustStore().isPresent()
                ? loadTrustStore(fileSystem, upstream.getTrustStore().get())
                : null;
            return new UpstreamTlsContext(context(trustStore, upstream.getTlsProfile()), upstream.getTlsProfile(),
                upstream.getExpectedHostName(), upstream.getPort());
        } catch (Exception e) {
            throw new ConfigurationException(upstreamPath + ".trustStore: cannot load '"
                + upstream.getTrustStore().map(TrustStoreConfig::getLocation).orElse("JDK default") + "': " + e.getMessage(), e);
        }
    }

    /**
     * An SSLContext whose trust decisions are the profile's (see {@link UpstreamTrustManager}).
     *
     * @param trustStore the anchors; null for the JDK's default CAs
     */
    public static SSLContext context(KeyStore trustStore, TlsProfile profile) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[]{new UpstreamTrustManager(UpstreamTrustManager.anchors(trustStore), profile, Clock.systemUTC())}, null);
        return context;
    }

    private static KeyStore loadTrustStore(FileSystem fileSystem, TrustStoreConfig config) throws Exception {
        try (InputStream stream = fileSystem.getResource(config.getLocation())) {
            if (config.getType() == TrustStoreConfig.Type.PEM) {
                Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(stream);
                if (certificates.isEmpty()) {
                    throw new IllegalArgumentException("no certificate in the PEM file");
                }
                KeyStore keyStore = KeyStore.getInstance(KeyStore.getDefaultType());
                keyStore.load(null, null);
                int index = 0;
                for (Certificate certificate : certificates) {
                    keyStore.setCertificateEntry("trusted-" + index++, certificate);
                }
                return keyStore;
            }
            KeyStore keyStore = KeyStore.getInstance(config.getType().name());
            keyStore.load(stream, config.getSecret().map(String::toCharArray).orElse(null));
            return keyStore;
        }
    }

    private final SSLContext context;
    private final TlsProfile profile;
    private final String expectedHostName;
    private final int port;

    public UpstreamTlsContext(SSLContext context, TlsProfile profile, String expectedHostName, int port) {
        this.context = context;
        this.profile = profile;
        this.expectedHostName = expectedHostName;
        this.port = port;
    }

    public SslHandler newHandler(ByteBufAllocator allocator) {
        return newHandler(allocator, expectedHostName, port);
    }

    /**
     * A handler toward another host than the configured one (routing by the name the client asked for): the
     * certificate is checked against {@code hostName} and SNI carries it.
     */
    public SslHandler newHandler(ByteBufAllocator allocator, String hostName, int port) {
        // The peer host is what UpstreamTrustManager checks the certificate's names against.
        SSLEngine engine = context.createSSLEngine(hostName, port);
        engine.setUseClientMode(true);
        TlsEngines.applyProfile(engine, profile);
        SSLParameters parameters = engine.getSSLParameters();
        if (!InetAddresses.isInetAddress(hostName)) {
            parameters.setServerNames(List.of(new SNIHostName(hostName)));
        }
        engine.setSSLParameters(parameters);
        return new SslHandler(engine);
    }

    public TlsProfile getProfile() {
        return profile;
    }

    public String getExpectedHostName() {
        return expectedHostName;
    }
}
