package org.jamesproxy.smtp;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.jamesproxy.config.PolicyKind;
import org.jamesproxy.config.SmtpPolicy;
import org.jamesproxy.listener.ProxyListenerPair;
import org.jamesproxy.relay.PolicyResources;
import org.jamesproxy.relay.ProxyProtocol;
import org.jamesproxy.relay.RelayMetrics;

/** The SMTP protocol: {@code <smtpproxy>} policies, each a listener pair whose connections are {@link SmtpProxySession}s. */
public final class SmtpProtocol implements ProxyProtocol<SmtpPolicy> {
    public static final SmtpProtocol INSTANCE = new SmtpProtocol();
    static final RelayMetrics.Names METRICS = new RelayMetrics.Names("smtpproxy", "starttls", "auth", "messages");

    private SmtpProtocol() {
    }

    @Override
    public PolicyKind<SmtpPolicy> kind() {
        return SmtpPolicy.KIND;
    }

    @Override
    public ProxyListenerPair listeners(SmtpPolicy policy, PolicyResources resources) throws ConfigurationException {
        SmtpProxy proxy = new SmtpProxy(policy, resources);
        return resources.listeners("SMTP proxy", policy.getPolicy(), reason -> "554 5.7.1 " + reason,
            (channel, implicitTls) -> new SmtpProxySession(proxy, channel, implicitTls).clientHandler());
    }

    @Override
    public String greetingPrefix() {
        return "220";
    }

    @Override
    public java.util.Optional<RelayMetrics.Names> metricNames() {
        return java.util.Optional.of(METRICS);
    }
}
