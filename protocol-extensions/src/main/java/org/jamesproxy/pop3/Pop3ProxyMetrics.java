package org.jamesproxy.pop3;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;

/** The POP3 proxy's counters, named like James's own ("pop3proxy-..."). */
final class Pop3ProxyMetrics {
    final Metric connections;
    final Metric activeConnections;
    final Metric stls;
    final Metric injectionRefused;
    final Metric upstreamFailures;
    final Metric logins;
    final Metric retrInspected;
    final Metric retrModified;
    final Metric retrDenied;
    final Metric retrNotInspected;

    Pop3ProxyMetrics(MetricFactory factory) {
        this.connections = factory.generate("pop3proxy-connections");
        this.activeConnections = factory.generate("pop3proxy-active-connections");
        this.stls = factory.generate("pop3proxy-stls");
        this.injectionRefused = factory.generate("pop3proxy-stls-injection-refused");
        this.upstreamFailures = factory.generate("pop3proxy-upstream-failures");
        this.logins = factory.generate("pop3proxy-logins");
        this.retrInspected = factory.generate("pop3proxy-retr-inspected");
        this.retrModified = factory.generate("pop3proxy-retr-modified");
        this.retrDenied = factory.generate("pop3proxy-retr-denied");
        this.retrNotInspected = factory.generate("pop3proxy-retr-not-inspected");
    }
}
