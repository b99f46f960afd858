package org.jamesproxy.pop3;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.jamesproxy.config.PolicyKind;
import org.jamesproxy.config.Pop3Policy;
import org.jamesproxy.listener.ProxyListenerPair;
import org.jamesproxy.relay.PolicyResources;
import org.jamesproxy.relay.ProxyProtocol;
import org.jamesproxy.relay.RelayMetrics;

/** The POP3 protocol: {@code <pop3proxy>} policies, each a listener pair whose connections are {@link Pop3ProxySession}s. */
public final class Pop3Protocol implements ProxyProtocol<Pop3Policy> {
    public static final Pop3Protocol INSTANCE = new Pop3Protocol();
    static final RelayMetrics.Names METRICS = new RelayMetrics.Names("pop3proxy", "stls", "logins", "retr");

    private Pop3Protocol() {
    }

    @Override
    public PolicyKind<Pop3Policy> kind() {
        return Pop3Policy.KIND;
    }

    @Override
    public ProxyListenerPair listeners(Pop3Policy policy, PolicyResources resources) throws ConfigurationException {
        Pop3Proxy proxy = new Pop3Proxy(policy, resources);
        return resources.listeners("POP3 proxy", policy.getPolicy(), reason -> "-ERR " + reason,
            (channel, implicitTls) -> new Pop3ProxySession(proxy, channel, implicitTls).clientHandler());
    }

    @Override
    public String greetingPrefix() {
        return "+OK";
    }

    @Override
    public java.util.Optional<RelayMetrics.Names> metricNames() {
        return java.util.Optional.of(METRICS);
    }
}
