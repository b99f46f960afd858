package org.jamesproxy.client;

import org.jamesproxy.tls.ClientHello;
import java.io.File;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import javax.net.ssl.SSLPeerUnverifiedException;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.jamesproxy.config.ClientActionConfig;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.config.UpstreamConfig;
import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.tls.MintingServerTlsContext;
import org.jamesproxy.tls.UpstreamTlsContext;
import org.jamesproxy.tls.authority.HostCertificates;
import org.jamesproxy.tls.authority.ProxyAuthority;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.upstream.UpstreamConnector;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

/**
 * The "Client" (outbound) proxy action of one policy, built once at boot: where each connection goes (the fixed
 * upstream, or the name the client asks for, limited by the allow-list), what is done with its TLS (inspect, allow,
 * drop), how the upstream leg toward that destination is made and verified, and the key material the client sees
 * (minted by the Proxy Authority for the destination's name).
 */
public final class ClientAction {
    /**
     * @param hostCertificates the shared Proxy Authority (top-level {@code <proxyAuthority>}); a policy's own
     *        {@code <clientAction><proxyAuthority>} takes precedence over it
     */
    public static ClientAction create(ProxyPolicy policy, FileSystem fileSystem, Optional<HostCertificates> hostCertificates,
                                      DestinationResolver resolver, String path) throws ConfigurationException {
        ClientActionConfig config = policy.getClientAction()
            .orElseThrow(() -> new IllegalArgumentException(policy.getName() + " is not a client-action policy"));
        HostCertificates certificates;
        if (config.getProxyAuthority().isPresent()) {
            certificates = loadPolicyAuthority(fileSystem, config.getProxyAuthority().get(),
                path + "." + ClientActionConfig.ELEMENT + ".proxyAuthority");
        } else {
            certificates = hostCertificates.orElseThrow(() -> new ConfigurationException("mailproxy.proxyAuthority (or "
                + path + "." + ClientActionConfig.ELEMENT + ".proxyAuthority) is required: it signs the certificates clients see"));
        }
        return new ClientAction(config, policy.getUpstream(), certificates, resolver, new MintingServerTlsContext(certificates, policy.getClientTlsProfile()),
            destination -> UpstreamTlsContext.load(fileSystem, destination, path + ".upstream"));
    }

    /** A policy's own {@code <clientAction><proxyAuthority>} key store, minting like the shared Proxy Authority. */
    private static HostCertificates loadPolicyAuthority(FileSystem fileSystem, ClientActionConfig.ProxyAuthorityConfig config,
                                                        String path) throws ConfigurationException {
        try {
            File keyStore = fileSystem.getFile(config.getKeyStore());
            return ProxyAuthority.create(CertificateAuthority.load(keyStore.toPath(), config.getAlias(),
                config.getSecret().toCharArray()));
        } catch (Exception e) {
            throw new ConfigurationException(path + ".keyStore: cannot load the Proxy Authority from '"
                + config.getKeyStore() + "': " + e.getMessage(), e);
        }
    }

    /** Builds the upstream leg's verifying TLS context for one destination. */
    @FunctionalInterface
    interface UpstreamContexts {
        UpstreamTlsContext load(UpstreamConfig destination) throws ConfigurationException;
    }

    private final ClientActionConfig config;
    private final UpstreamConfig upstream;
    private final HostCertificates certificates;
    private final DestinationResolver resolver;
    private final MintingServerTlsContext clientLeg;
    private final UpstreamContexts upstreamContexts;
    /** Trust material is read once per destination name, not per connection. */
    private final Cache<String, UpstreamTlsContext> contexts = CacheBuilder.newBuilder().maximumSize(1024).build();

    ClientAction(ClientActionConfig config, UpstreamConfig upstream, HostCertificates certificates, DestinationResolver resolver,
                 MintingServerTlsContext clientLeg, UpstreamContexts upstreamContexts) {
        this.config = config;
        this.upstream = upstream;
        this.certificates = certificates;
        this.resolver = resolver;
        this.clientLeg = clientLeg;
        this.upstreamContexts = upstreamContexts;
    }

    public boolean routesBySni() {
        return config.getRouting() == ClientActionConfig.Routing.SNI;
    }

    /**
     * @param requestedName the SNI name, lower case; empty when the client sent none (or before its ClientHello)
     */
    public Destination decide(Optional<String> requestedName) {
        if (!routesBySni()) {
            String name = upstream.getExpectedHostName().toLowerCase(java.util.Locale.US);
            return Destination.of(name, config.getTlsAction().actionFor(name));
        }
        if (requestedName.isEmpty()) {
            return Destination.refused(requestedName, "the client sent no server name (SNI), and this policy routes by it");
        }
        String name = requestedName.get();
        if (InetAddresses.isInetAddress(name) || !InternetDomainName.isValid(name)) {
            return Destination.refused(requestedName, "'" + name + "' is not a host name");
        }
        if (!config.isAllowed(name)) {
            return Destination.refused(requestedName, "'" + name + "' is not an allowed destination");
        }
        return Destination.of(name, config.getTlsAction().actionFor(name));
    }

    /** The verified TLS leg toward an {@code inspect} destination. */
    public UpstreamConnector connectorFor(Destination destination) throws UnknownHostException, ConfigurationException {
        UpstreamConfig leg = routesBySni() ? upstream.forDestination(destination.hostName(), upstream.getPort()) : upstream;
        Optional<UpstreamTlsContext> tls = Optional.empty();
        if (leg.getTls() != UpstreamTls.NONE) {
            try {
                tls = Optional.of(contexts.get(leg.getHost(), () -> upstreamContexts.load(leg)));
            } catch (ExecutionException e) {
                throw e.getCause() instanceof ConfigurationException
                    ? (ConfigurationException) e.getCause()
                    : new ConfigurationException(e.getCause().getMessage(), e.getCause());
            }
        }
        return UpstreamConnector.toAddress(leg, tls, resolver.resolve(leg.getHost()));
    }

    /**
     * A raw TCP leg toward an {@code allow} destination, on its port of the same kind as the client's listener.
     */
    public UpstreamConnector passThroughConnectorFor(Destination destination, boolean implicitTlsListener) throws UnknownHostException {
        int port = implicitTlsListener ? config.getImplicitPassThroughPort() : config.getPlainPassThroughPort();
        String host = routesBySni() ? destination.hostName() : upstream.getHost();
        InetAddress address = resolver.resolve(host);
        UpstreamConfig raw = new UpstreamConfig(host, port, UpstreamTls.NONE, Optional.empty(), host, upstream.getTlsProfile(),
            upstream.getConnectTimeout());
        return UpstreamConnector.toAddress(raw, Optional.empty(), address);
    }

    /** The client leg's handler presenting a leaf minted for the destination, copying the upstream's real certificate. */
    public SslHandler clientHandler(Destination destination, Channel upstreamChannel) {
        return clientLeg.newHandler(upstreamChannel.alloc(), destination.hostName(), upstreamLeaf(upstreamChannel));
    }

    static Optional<X509Certificate> upstreamLeaf(Channel upstreamChannel) {
        SslHandler tls = upstreamChannel.pipeline().get(SslHandler.class);
        if (tls == null || !tls.handshakeFuture().isSuccess()) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate ? Optional.of((X509Certificate) chain[0]) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /** The upstream certificate's subject for the connection log, or "none" on a plaintext (loopback) leg. */
    public static String describeLeaf(Channel upstreamChannel) {
        return upstreamLeaf(upstreamChannel)
            .map(leaf -> "'" + leaf.getSubjectX500Principal().getName() + "' (verified)")
            .orElse("none");
    }

    public ClientActionConfig getConfig() {
        return config;
    }

    @Override
    public String toString() {
        return config.toString();
    }
}
