package org.jamesproxy.tls;

import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.tls.authority.HostCertificates;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.util.concurrent.UncheckedExecutionException;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

/**
 * The client leg of the Client (outbound) proxy action: the server-side SslHandler that presents, for the host the
 * client asked for, the leaf minted by the Proxy Authority. The caller learns the host first (SNI peeked from the
 * ClientHello, or the policy's fixed upstream) and, when it has it, the upstream's real certificate, then installs
 * {@link #newHandler}'s result at the bottom of the client channel's pipeline.
 *
 * <p>One Netty {@link SslContext} is built per minted leaf and kept as long as the {@link HostCertificates} keeps
 * returning that same entry (weak keys): a cached host costs exactly what the Proxy Server certificate costs.</p>
 */
public final class MintingServerTlsContext {
    private final HostCertificates certificates;
    private final TlsProfile profile;
    private final SslProvider provider;
    private final Cache<KeyStore.PrivateKeyEntry, SslContext> contexts;

    /** With the JDK's TLS provider (what James itself uses). */
    public MintingServerTlsContext(HostCertificates certificates, TlsProfile profile) {
        this(certificates, profile, SslProvider.JDK);
    }

    public MintingServerTlsContext(HostCertificates certificates, TlsProfile profile, SslProvider provider) {
        this.certificates = certificates;
        this.profile = profile;
        this.provider = provider;
        this.contexts = CacheBuilder.newBuilder()
            .weakKeys()
            .maximumSize(10_000)
            .build();
    }

    /**
     * @param hostName the name the client asked for (SNI, or the policy's upstream name)
     * @param upstreamLeaf the upstream's certificate, when the upstream leg is already up
     */
    public SslHandler newHandler(ByteBufAllocator allocator, String hostName, Optional<X509Certificate> upstreamLeaf) {
        SSLEngine engine = contextFor(certificates.forHost(hostName, upstreamLeaf)).newEngine(allocator);
        engine.setUseClientMode(false);
        TlsEngines.applyProfile(engine, profile);
        return new SslHandler(engine);
    }

    private SslContext contextFor(KeyStore.PrivateKeyEntry entry) {
        try {
            return contexts.get(entry, () -> build(entry));
        } catch (ExecutionException | UncheckedExecutionException e) {
            throw new IllegalStateException("cannot build the TLS context of a minted certificate: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private SslContext build(KeyStore.PrivateKeyEntry entry) throws SSLException {
        X509Certificate[] chain = Arrays.stream(entry.getCertificateChain())
            .map(X509Certificate.class::cast)
            .toArray(X509Certificate[]::new);
        return SslContextBuilder.forServer(entry.getPrivateKey(), chain)
            .sslProvider(provider)
            .build();
    }

    public TlsProfile getProfile() {
        return profile;
    }
}
