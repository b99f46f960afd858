package org.jamesproxy.smtp;

import java.util.Optional;

import org.apache.james.metrics.api.Metric;
import org.jamesproxy.config.SmtpPolicy;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.policy.AccessControl;
import org.jamesproxy.relay.Interception;
import org.jamesproxy.relay.PolicyResources;
import org.jamesproxy.relay.RelayMetrics;
import org.jamesproxy.relay.UpstreamRoute;
import org.jamesproxy.tls.ServerTlsContext;

/** One SMTP policy at run time, built once at boot and shared by its sessions. */
final class SmtpProxy {
    final SmtpPolicy policy;
    final UpstreamRoute route;
    final Optional<ServerTlsContext> serverTls;
    final RelayMetrics metrics;
    final Interception interception;
    /** Connection rules: failed logins feed the policy's auto-block. */
    final AccessControl access;
    final String helloName;
    final SmtpCommands commands;
    /** Opportunistic STARTTLS toward the upstream fell back to plain text. */
    final Metric upstreamPlaintext;
    /** Messages the upstream accepted (its 250 to our final dot). */
    final Metric relayed;
    /** Messages the proxy refused before inspection (size, bare line endings). */
    final Metric refused;
    final Metric rejectedUpstream;
    /** MAIL/RCPT refused by the policy's envelope rules. */
    final Metric policyRejections;

    SmtpProxy(SmtpPolicy policy, PolicyResources resources) {
        this.policy = policy;
        this.route = resources.route();
        this.serverTls = resources.serverTls();
        this.metrics = new RelayMetrics(resources.metricFactory(), SmtpProtocol.METRICS);
        this.interception = resources.interception(Protocol.SMTP, policy.getPolicy(), metrics);
        this.access = resources.accessControl(policy.getPolicy());
        this.helloName = policy.getPolicy().getHelloName();
        this.commands = new SmtpCommands(policy);
        this.upstreamPlaintext = metrics.counter("upstream-plaintext");
        this.relayed = metrics.counter("messages-relayed");
        this.refused = metrics.counter("messages-refused");
        this.rejectedUpstream = metrics.counter("messages-rejected-upstream");
        this.policyRejections = metrics.counter("policy-rejections");
    }

    String policyName() {
        return policy.getPolicy().getName();
    }
}
