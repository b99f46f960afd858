package org.jamesproxy.smtp;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;

/** The SMTP proxy's counters, named like James's own ("smtpproxy-..."). */
final class SmtpProxyMetrics {
    final Metric connections;
    final Metric activeConnections;
    final Metric startTls;
    final Metric injectionRefused;
    final Metric upstreamFailures;
    final Metric upstreamPlaintext;
    final Metric auth;
    final Metric messagesRelayed;
    final Metric messagesModified;
    final Metric messagesDenied;
    final Metric messagesRefused;
    final Metric messagesRejectedUpstream;
    final Metric policyRejections;

    SmtpProxyMetrics(MetricFactory factory) {
        this.connections = factory.generate("smtpproxy-connections");
        this.activeConnections = factory.generate("smtpproxy-active-connections");
        this.startTls = factory.generate("smtpproxy-starttls");
        this.injectionRefused = factory.generate("smtpproxy-starttls-injection-refused");
        this.upstreamFailures = factory.generate("smtpproxy-upstream-failures");
        this.upstreamPlaintext = factory.generate("smtpproxy-upstream-plaintext");
        this.auth = factory.generate("smtpproxy-auth");
        this.messagesRelayed = factory.generate("smtpproxy-messages-relayed");
        this.messagesModified = factory.generate("smtpproxy-messages-modified");
        this.messagesDenied = factory.generate("smtpproxy-messages-denied");
        this.messagesRefused = factory.generate("smtpproxy-messages-refused");
        this.messagesRejectedUpstream = factory.generate("smtpproxy-messages-rejected-upstream");
        this.policyRejections = factory.generate("smtpproxy-policy-rejections");
    }
}
