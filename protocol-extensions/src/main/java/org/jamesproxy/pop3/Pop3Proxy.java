package org.jamesproxy.pop3;

import java.util.Optional;
import java.util.concurrent.Executor;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.jamesproxy.config.Pop3Policy;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.policy.ClientBlocker;
import org.jamesproxy.policy.LoggingClientBlocker;
import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.listener.ProxyListenerPair;
import org.jamesproxy.relay.UpstreamRoute;
import org.jamesproxy.tls.ServerTlsContext;

/** Builds the listener pair of one POP3 policy; each accepted connection becomes a {@link Pop3ProxySession}. */
public final class Pop3Proxy {
    private Pop3Proxy() {
    }

    public static ProxyListenerPair listeners(Pop3Policy policy, UpstreamRoute route, Optional<ServerTlsContext> serverTls,
                                              MessageInspector inspector, Executor inspectionExecutor,
                                              MetricFactory metricFactory, FileSystem fileSystem) throws ConfigurationException {
        return listeners(policy, route, serverTls, inspector, inspectionExecutor, metricFactory, fileSystem,
            new LoggingClientBlocker(metricFactory));
    }

    /** @param blocker where {@code block} verdicts report the client */
    public static ProxyListenerPair listeners(Pop3Policy policy, UpstreamRoute route, Optional<ServerTlsContext> serverTls,
                                              MessageInspector inspector, Executor inspectionExecutor,
                                              MetricFactory metricFactory, FileSystem fileSystem, ClientBlocker blocker)
        throws ConfigurationException {
        ProxyPolicy common = policy.getPolicy();
        String helloName = common.listenerConfig().getString("helloName", "james-mail-proxy");
        Pop3ProxyRuntime runtime = new Pop3ProxyRuntime(policy, route, serverTls, inspector, inspectionExecutor,
            metricFactory, helloName.isBlank() ? "james-mail-proxy" : helloName, blocker);
        return ProxyListenerPair.of(common, kind -> new ProxyListener("POP3 proxy " + common.getName(), common, kind, serverTls,
            (channel, implicitTls) -> new Pop3ProxySession(runtime, channel, implicitTls).clientHandler(), fileSystem));
    }
}
