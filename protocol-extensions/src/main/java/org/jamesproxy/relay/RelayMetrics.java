package org.jamesproxy.relay;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;

/**
 * The counters every relay keeps, named like James's own: {@code <prefix>-connections}, {@code <prefix>-starttls},
 * {@code <prefix>-fetch-denied}... Each protocol names its prefix and its words for STARTTLS, logins and messages,
 * so the names operators already graph stay as they were.
 */
public final class RelayMetrics {
    /**
     * @param prefix e.g. {@code imapproxy}
     * @param startTls the protocol's verb, e.g. {@code starttls}, {@code stls}
     * @param logins e.g. {@code logins}, {@code auth}
     * @param messages what an inspected message is called, e.g. {@code fetch}, {@code retr}, {@code messages}
     */
    public record Names(String prefix, String startTls, String logins, String messages) {
    }

    private final MetricFactory factory;
    private final Names names;
    public final Metric connections;
    public final Metric activeConnections;
    public final Metric startTls;
    public final Metric injectionRefused;
    public final Metric upstreamFailures;
    public final Metric logins;
    public final Metric inspected;
    public final Metric modified;
    public final Metric denied;
    public final Metric notInspected;

    /** Every counter name this class creates for {@code names}, e.g. {@code imapproxy-connections}. */
    public static java.util.List<String> counterNames(Names names) {
        return java.util.stream.Stream.of("connections", "active-connections", names.startTls(),
                names.startTls() + "-injection-refused", "upstream-failures", names.logins(), names.messages() + "-inspected",
                names.messages() + "-modified", names.messages() + "-denied", names.messages() + "-not-inspected")
            .map(name -> names.prefix() + "-" + name)
            .toList();
    }

    public RelayMetrics(MetricFactory factory, Names names) {
        this.factory = factory;
        this.names = names;
        this.connections = counter("connections");
        this.activeConnections = counter("active-connections");
        this.startTls = counter(names.startTls());
        this.injectionRefused = counter(names.startTls() + "-injection-refused");
        this.upstreamFailures = counter("upstream-failures");
        this.logins = counter(names.logins());
        this.inspected = counter(names.messages() + "-inspected");
        this.modified = counter(names.messages() + "-modified");
        this.denied = counter(names.messages() + "-denied");
        this.notInspected = counter(names.messages() + "-not-inspected");
    }

    /** A counter of the protocol's own, e.g. {@code counter("policy-rejections")} for {@code smtpproxy-policy-rejections}. */
    public Metric counter(String name) {
        return factory.generate(names.prefix() + "-" + name);
    }
}
