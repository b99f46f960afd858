package org.jamesproxy.imap;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;

/** The IMAP proxy's counters, named like James's own ("imapproxy-..."). */
final class ImapProxyMetrics {
    final Metric connections;
    final Metric activeConnections;
    final Metric startTls;
    final Metric injectionRefused;
    final Metric upstreamFailures;
    final Metric logins;
    final Metric fetchInspected;
    final Metric fetchModified;
    final Metric fetchDenied;
    final Metric fetchNotInspected;
    final MetricFactory factory;

    ImapProxyMetrics(MetricFactory factory) {
        this.factory = factory;
        this.connections = factory.generate("imapproxy-connections");
        this.activeConnections = factory.generate("imapproxy-active-connections");
        this.startTls = factory.generate("imapproxy-starttls");
        this.injectionRefused = factory.generate("imapproxy-starttls-injection-refused");
        this.upstreamFailures = factory.generate("imapproxy-upstream-failures");
        this.logins = factory.generate("imapproxy-logins");
        this.fetchInspected = factory.generate("imapproxy-fetch-inspected");
        this.fetchModified = factory.generate("imapproxy-fetch-modified");
        this.fetchDenied = factory.generate("imapproxy-fetch-denied");
        this.fetchNotInspected = factory.generate("imapproxy-fetch-not-inspected");
    }
}
