package org.jamesproxy.relay;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executor;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.listener.ConnectGate;
import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.listener.ProxyListenerPair;
import org.jamesproxy.listener.SessionFactory;
import org.jamesproxy.policy.AccessControl;
import org.jamesproxy.policy.ClientBlocker;
import org.jamesproxy.policy.PolicyStateStore;
import org.jamesproxy.tls.ServerTlsContext;

/**
 * What every protocol's policy is built from, whatever the protocol: where its connections go (the upstream route), the Proxy Server certificate
 * (when a listener presents it), the proxy action's inspector and its thread pool, metrics, files, the block hook, and
 * the state the connection rules share (blocked sites, rate counters) with the clock they read.
 * {@code actionDefinition} says what the action is made of ({@code ProxyActionDefinition.canonicalForm}; empty
 * without one), so that what is cached from its verdicts is never taken for another definition's.
 * The boot code (and the relay tests) build one per policy and hand it to {@link ProxyProtocol#listeners}.
 */
public record PolicyResources(UpstreamRoute route, Optional<ServerTlsContext> serverTls, MessageInspector inspector, String actionDefinition,
                              Executor inspectionExecutor, MetricFactory metricFactory, FileSystem fileSystem,
                              ClientBlocker blocker, PolicyStateStore stateStore, Clock clock) {
    /** The policy's interception: its settings, the runner of its action, the protocol's counters and the block hook. */
    public Interception interception(Protocol protocol, ProxyPolicy policy, RelayMetrics metrics) {
        return new Interception(protocol, policy.getName(), policy.getInspection(),
            new InspectionRunner(inspector, inspectionExecutor), metrics, accessControl(policy));
    }

    /**
     * The policy's connection rules at run time. Stateless apart from the shared store, so the listeners and the
     * interception may each hold one.
     */
    public AccessControl accessControl(ProxyPolicy policy) {
        return new AccessControl(policy.getName(), policy.getAccess(), stateStore, clock, metricFactory, blocker);
    }

    /** The listener pair a policy's tlsSupport asks for; each accepted connection goes to {@code sessions}. */
    public ProxyListenerPair listeners(String serviceType, ProxyPolicy policy, ConnectGate.Refusal refusal,
                                       SessionFactory sessions) throws ConfigurationException {
        AccessControl access = accessControl(policy);
        return ProxyListenerPair.of(policy, kind -> new ProxyListener(serviceType + " " + policy.getName(), policy, kind,
            serverTls, sessions, fileSystem, metricFactory.generate("mailproxy-proxy-header-refused"),
            new ConnectGate(access, refusal, kind)));
    }
}
