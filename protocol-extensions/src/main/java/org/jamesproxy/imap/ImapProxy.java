package org.jamesproxy.imap;

import java.util.Optional;

import org.jamesproxy.config.ImapPolicy;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.policy.AccessControl;
import org.jamesproxy.relay.Interception;
import org.jamesproxy.relay.PolicyResources;
import org.jamesproxy.relay.RelayMetrics;
import org.jamesproxy.relay.UpstreamRoute;
import org.jamesproxy.tls.ServerTlsContext;

/** One IMAP policy at run time, built once at boot and shared by its sessions. */
final class ImapProxy {
    final ImapPolicy policy;
    final UpstreamRoute route;
    final Optional<ServerTlsContext> serverTls;
    final RelayMetrics metrics;
    final Interception interception;
    /** Connection rules: failed logins feed the policy's auto-block. */
    final AccessControl access;
    final String helloName;

    ImapProxy(ImapPolicy policy, PolicyResources resources) {
        this.policy = policy;
        this.route = resources.route();
        this.serverTls = resources.serverTls();
        this.metrics = new RelayMetrics(resources.metricFactory(), ImapProtocol.METRICS);
        this.interception = resources.interception(Protocol.IMAP, policy.getPolicy(), metrics);
        this.access = resources.accessControl(policy.getPolicy());
        this.helloName = policy.getPolicy().getHelloName();
    }

    String policyName() {
        return policy.getPolicy().getName();
    }
}
