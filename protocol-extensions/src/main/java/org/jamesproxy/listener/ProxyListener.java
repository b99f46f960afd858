package org.jamesproxy.listener;

import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.Metric;
import org.apache.james.protocols.lib.netty.AbstractConfigurableAsyncServer;
import org.apache.james.protocols.netty.AbstractChannelPipelineFactory;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.netty.ConnectionLimitUpstreamHandler;
import org.apache.james.protocols.netty.HandlerConstants;
import org.jamesproxy.tls.SniPeeker;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.haproxy.ClientAddress;
import org.jamesproxy.haproxy.ProxyHeaderGate;
import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.tls.TlsBoundary;
import org.jamesproxy.tls.TlsCompliance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * One listening socket of a proxy policy, for any protocol. It is a James listener (bind, worker threads,
 * connection limits, JMX), with its own pipeline: no line framer of James's — the relay frames both legs itself,
 * so that it knows exactly which bytes are buffered at a STARTTLS boundary.
 */
public class ProxyListener extends AbstractConfigurableAsyncServer implements ProxyListenerMBean {
    private static final Logger LOGGER = LoggerFactory.getLogger(ProxyListener.class);

    public static final String IDLE_TIMEOUT_HANDLER = "idleTimeout";

    private final String serviceType;
    private final ProxyPolicy policy;
    private final ListenerKind kind;
    private final Optional<ServerTlsContext> serverTls;
    private final SessionFactory sessionFactory;
    private final ConnectGate connectGate;
    private Optional<ConnectionLimitUpstreamHandler> connectionLimitHandler = Optional.empty();
    private Optional<ChannelHandler> perIpLimitHandler = Optional.empty();
    private final Metric proxyHeaderRefusals;

    public ProxyListener(String serviceType, ProxyPolicy policy, ListenerKind kind, Optional<ServerTlsContext> serverTls,
                         SessionFactory sessionFactory, FileSystem fileSystem, Metric proxyHeaderRefusals,
                         ConnectGate connectGate) throws ConfigurationException {
        this.proxyHeaderRefusals = proxyHeaderRefusals;
        this.connectGate = connectGate;
        this.serviceType = serviceType;
        this.policy = policy;
        this.kind = kind;
        this.serverTls = serverTls;
        this.sessionFactory = sessionFactory;
        if (kind == ListenerKind.IMPLICIT_TLS && serverTls.isEmpty() && policy.getClientAction().isEmpty()) {
            throw new ConfigurationException("implicit TLS listener of policy " + policy.getName() + " needs the Proxy Server certificate");
        }
        setFileSystem(fileSystem);
        configure(jamesListenerConfig());
    }

    /** The policy element as James's base class reads it, narrowed to this one listener of the pair. */
    private HierarchicalConfiguration<ImmutableNode> jamesListenerConfig() {
        HierarchicalConfiguration<ImmutableNode> config = policy.listenerConfig();
        config.setProperty("bind", kind == ListenerKind.PLAIN ? policy.getBind() : policy.getTlsBind());
        config.setProperty("jmxName", kind == ListenerKind.PLAIN ? policy.getJmxName() : policy.getJmxName() + "-tls");
        // TLS is ours (per-leg profiles, STARTTLS boundary); James's executor group would only host its framer.
        config.clearTree("tls");
        config.setProperty("maxExecutorCount", 1);
        return config;
    }

    /**
     * The two listeners of a policy count against one connectionLimit / connectionLimitPerIP: the admin set them on
     * the policy. Called by {@link ProxyListenerPair} before the listeners bind.
     */
    void shareConnectionLimits(Optional<ConnectionLimitUpstreamHandler> connectionLimit,
                               Optional<ChannelHandler> perIpLimit) {
        this.connectionLimitHandler = connectionLimit;
        this.perIpLimitHandler = perIpLimit;
    }

    int configuredConnectionLimit() {
        return connectionLimit;
    }

    int configuredConnectionLimitPerIp() {
        return connPerIP;
    }

    @Override
    protected AbstractChannelPipelineFactory createPipelineFactory() {
        Optional<ConnectionLimitUpstreamHandler> connectionLimit = connectionLimitHandler;
        Optional<ChannelHandler> perIpLimit = perIpLimitHandler;
        return new AbstractChannelPipelineFactory<SocketChannel>(null, getExecutorGroup()) {
            @Override
            protected void initChannel(SocketChannel channel) {
                channel.config().setAutoRead(false);
                channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
                ChannelPipeline pipeline = channel.pipeline();
                connectionLimit.ifPresent(handler -> pipeline.addLast(HandlerConstants.CONNECTION_LIMIT_HANDLER, handler));
                if (policy.getProxyProtocolIn().isPresent()) {
                    // Behind a trusted proxy: its PROXY header comes first, before TLS; the client is known only then.
                    ProxyHeaderGate.install(pipeline, policy.getProxyProtocolIn().get(), policy.getName(), proxyHeaderRefusals,
                        accepted -> protocolPipeline((SocketChannel) accepted, perIpLimit));
                } else {
                    protocolPipeline(channel, perIpLimit);
                }
                // Drive the TLS handshake / the first read: nothing reads by itself with AUTO_READ off.
                channel.read();
            }

            @Override
            protected ChannelInboundHandlerAdapter createHandler() {
                throw new UnsupportedOperationException("the pipeline is built in initChannel");
            }
        };
    }

    /** Everything after the connection limit and the PROXY header: the client's address is the real one here. */
    private void protocolPipeline(SocketChannel channel, Optional<ChannelHandler> perIpLimit) {
        ChannelPipeline pipeline = channel.pipeline();
        perIpLimit.ifPresent(handler -> pipeline.addLast(HandlerConstants.CONNECTION_LIMIT_PER_IP_HANDLER, handler));
        pipeline.addLast(ConnectGate.NAME, connectGate);
        if (kind == ListenerKind.IMPLICIT_TLS && policy.getClientTlsProfile().isTlsCompliantOnly()) {
            pipeline.addLast(TlsCompliance.HANDLER_NAME, new TlsCompliance(reason ->
                LOGGER.warn("Policy {}: client {} refused: {}", policy.getName(), ClientAddress.of(channel).hostAddress(), reason)));
        }
        if (kind == ListenerKind.IMPLICIT_TLS && policy.getClientAction().isPresent()) {
            // Client action: the ClientHello is held until the relay knows the destination and its certificate.
            pipeline.addLast(SniPeeker.NAME, new SniPeeker());
        } else if (kind == ListenerKind.IMPLICIT_TLS) {
            SslHandler tls = serverTls.get().newHandler(channel.alloc());
            // The policy's <timeouts><tlsHandshake> (default 10s, as Netty's own).
            tls.setHandshakeTimeoutMillis(policy.getDeadlines().getTlsHandshake().toMillis());
            pipeline.addLast(TlsBoundary.SSL_HANDLER, tls);
        }
        pipeline.addLast(IDLE_TIMEOUT_HANDLER, idleTimeoutHandler(policy.getIdleTimeout().toSeconds()));
        pipeline.addLast(HandlerConstants.CORE_HANDLER, sessionFactory.create(channel, kind == ListenerKind.IMPLICIT_TLS));
    }

    /** Closing on idle is the relay's job (it says BYE first); this only raises the event. */
    public static IdleStateHandler idleTimeoutHandler(long seconds) {
        return new IdleStateHandler(0, 0, seconds, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    protected int getDefaultPort() {
        return 0;
    }

    @Override
    protected String getDefaultJMXName() {
        return policy.getJmxName();
    }

    @Override
    public String getServiceType() {
        return serviceType + (kind == ListenerKind.IMPLICIT_TLS ? " (implicit TLS)" : "");
    }

    @Override
    public String getSocketType() {
        return kind == ListenerKind.IMPLICIT_TLS ? "secure" : "plain";
    }

    @Override
    public boolean getStartTLSSupported() {
        return kind == ListenerKind.PLAIN && policy.getTlsSupport().offersStartTls();
    }

    @Override
    public String getPolicyName() {
        return policy.getName();
    }

    public ListenerKind getKind() {
        return kind;
    }

    @Override
    protected ChannelHandlerFactory createFrameHandlerFactory() {
        return null;
    }

    @Override
    protected ChannelInboundHandlerAdapter createCoreHandler() {
        throw new UnsupportedOperationException("the pipeline is built by createPipelineFactory");
    }
}
