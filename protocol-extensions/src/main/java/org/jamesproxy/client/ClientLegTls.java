package org.jamesproxy.client;

import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import org.jamesproxy.config.TlsProfile;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.collect.ImmutableSet;

import io.netty.handler.ssl.SslHandler;

/**
 * The client leg of a client-action policy: a server-side SslHandler presenting the key material minted for the
 * destination, with the client leg's TLS profile. One SSLContext per minted leaf, kept in a bounded cache so a
 * cached leaf costs no more than the Proxy Server certificate.
 */
final class ClientLegTls {
    private static final char[] IN_MEMORY_SECRET = "client-leg".toCharArray();

    private final TlsProfile profile;
    private final Cache<X509Certificate, SSLContext> contexts = CacheBuilder.newBuilder()
        .maximumSize(1024)
        .expireAfterAccess(1, TimeUnit.HOURS)
        .build();

    ClientLegTls(TlsProfile profile) {
        this.profile = profile;
    }

    SslHandler newHandler(KeyStore.PrivateKeyEntry keyMaterial) {
        SSLEngine engine = context(keyMaterial).createSSLEngine();
        engine.setUseClientMode(false);
        Set<String> supported = ImmutableSet.copyOf(engine.getSupportedProtocols());
        engine.setEnabledProtocols(Arrays.stream(profile.enabledProtocols()).filter(supported::contains).toArray(String[]::new));
        if (!profile.getCiphers().isEmpty()) {
            engine.setEnabledCipherSuites(profile.getCiphers().toArray(String[]::new));
        }
        return new SslHandler(engine);
    }

    private SSLContext context(KeyStore.PrivateKeyEntry keyMaterial) {
        try {
            return contexts.get((X509Certificate) keyMaterial.getCertificate(), () -> build(keyMaterial));
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot use the minted certificate: " + e.getCause(), e.getCause());
        }
    }

    private static SSLContext build(KeyStore.PrivateKeyEntry keyMaterial) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("leaf", keyMaterial.getPrivateKey(), IN_MEMORY_SECRET, keyMaterial.getCertificateChain());
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, IN_MEMORY_SECRET);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }
}
