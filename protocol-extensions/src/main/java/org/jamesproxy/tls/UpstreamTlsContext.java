package org.jamesproxy.tls;

import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.config.TrustStoreConfig;
import org.jamesproxy.config.UpstreamConfig;

import com.google.common.net.InetAddresses;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;

/**
 * The upstream leg's TLS: the trust anchors for the real mail server and the leg's profile. Every handler it
 * makes verifies the certificate chain and the expected host name (RFC 6125 rules via the JDK's HTTPS
 * endpoint identification), and sends SNI.
 */
public final class UpstreamTlsContext {
    public static UpstreamTlsContext load(FileSystem fileSystem, UpstreamConfig upstream, String upstreamPath) throws ConfigurationException {
        try {
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(upstream.getTrustStore().isPresent()
                ? loadTrustStore(fileSystem, upstream.getTrustStore().get())
                : null);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            return new UpstreamTlsContext(context, upstream.getTlsProfile(), upstream.getExpectedHostName(), upstream.getPort());
        } catch (Exception e) {
            throw new ConfigurationException(upstreamPath + ".trustStore: cannot load '"
                + upstream.getTrustStore().map(TrustStoreConfig::getLocation).orElse("JDK default") + "': " + e.getMessage(), e);
        }
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
        SSLEngine engine = context.createSSLEngine(expectedHostName, port);
        engine.setUseClientMode(true);
        TlsEngines.applyProfile(engine, profile);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!InetAddresses.isInetAddress(expectedHostName)) {
            parameters.setServerNames(List.of(new SNIHostName(expectedHostName)));
        }
        engine.setSSLParameters(parameters);
        return new SslHandler(engine);
    }

    public String getExpectedHostName() {
        return expectedHostName;
    }
}
