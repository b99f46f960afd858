package org.jamesproxy.relay;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.jamesproxy.config.PolicyKind;
import org.jamesproxy.listener.ProxyListenerPair;

/**
 * One proxied protocol, as the boot code sees it: which policy elements are its own and how a parsed policy becomes
 * listeners whose connections are its sessions. Each protocol package has one; {@code ProxyProtocols} lists them.
 *
 * @param <P> the protocol's parsed policy
 */
public interface ProxyProtocol<P> {
    PolicyKind<P> kind();

    ProxyListenerPair listeners(P policy, PolicyResources resources) throws ConfigurationException;

    /** How the protocol's positive greeting starts ({@code * OK}, {@code +OK}, {@code 220}): pools' health checks. */
    String greetingPrefix();

    /** The names of its counters (shared by its policies), for the operator views; empty when it keeps none. */
    default java.util.Optional<RelayMetrics.Names> metricNames() {
        return java.util.Optional.empty();
    }
}
