package org.jamesproxy.listener;

import java.util.List;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.netty.ConnectionLimitUpstreamHandler;
import org.apache.james.protocols.netty.ConnectionPerIpLimitUpstreamHandler;
import org.jamesproxy.config.ProxyPolicy;

import com.google.common.collect.ImmutableList;

import io.netty.channel.ChannelHandler;

/** The listeners a policy's tlsSupport asks for: plain+STARTTLS, implicit TLS, or both. */
public final class ProxyListenerPair {
    @FunctionalInterface
    public interface ListenerFactory {
        ProxyListener create(ListenerKind kind) throws ConfigurationException;
    }

    public static ProxyListenerPair of(ProxyPolicy policy, ListenerFactory factory) throws ConfigurationException {
        ImmutableList.Builder<ProxyListener> listeners = ImmutableList.builder();
        if (policy.getTlsSupport().bindsPlainPort()) {
            listeners.add(factory.create(ListenerKind.PLAIN));
        }
        if (policy.getTlsSupport().bindsTlsPort()) {
            listeners.add(factory.create(ListenerKind.IMPLICIT_TLS));
        }
        ImmutableList<ProxyListener> built = listeners.build();
        // James's base class parsed the limits (same keys, same validation); one counter serves the whole pair.
        ProxyListener first = built.get(0);
        Optional<ConnectionLimitUpstreamHandler> connectionLimit = ConnectionLimitUpstreamHandler.forCount(first.configuredConnectionLimit());
        int perIp = first.configuredConnectionLimitPerIp();
        // Behind a trusted proxy every socket comes from the proxy: count per client address from its header instead.
        Optional<ChannelHandler> perIpLimit = policy.getProxyProtocolIn().isPresent()
            ? (perIp > 0 ? Optional.of(new PerClientConnectionLimit(perIp)) : Optional.empty())
            : ConnectionPerIpLimitUpstreamHandler.forCount(perIp).map(ChannelHandler.class::cast);
        built.forEach(listener -> listener.shareConnectionLimits(connectionLimit, perIpLimit));
        return new ProxyListenerPair(policy, built);
    }

    private final ProxyPolicy policy;
    private final ImmutableList<ProxyListener> listeners;
    private List<ProxyListener> started = ImmutableList.of();
    /** What the policy's runtime frees once its listeners are unbound (e.g. IMAP's view cache and its spill files). */
    private Runnable onStop = () -> { };

    private ProxyListenerPair(ProxyPolicy policy, ImmutableList<ProxyListener> listeners) {
        this.policy = policy;
        this.listeners = listeners;
    }

    public ProxyPolicy getPolicy() {
        return policy;
    }

    public List<ProxyListener> getListeners() {
        return listeners;
    }

    /** Binds every listener; if one fails, those already bound are closed again. */
    public synchronized void start() throws Exception {
        int count = 0;
        try {
            for (ProxyListener listener : listeners) {
                listener.init();
                count++;
            }
            started = listeners;
        } catch (Exception e) {
            listeners.subList(0, count).forEach(ProxyListener::destroy);
            throw e;
        }
    }

    /** Runs {@code release} after the listeners are unbound by {@link #stop()} (once). */
    public synchronized ProxyListenerPair whenStopped(Runnable release) {
        this.onStop = release;
        return this;
    }

    /** Unbinds what {@link #start()} bound; safe to call more than once. */
    public synchronized void stop() {
        ParallelStop.run("mail proxy policy " + policy.getName(),
            started.stream().<Runnable>map(listener -> listener::destroy).toList());
        started = ImmutableList.of();
        Runnable release = onStop;
        onStop = () -> { };
        release.run();
    }
}
