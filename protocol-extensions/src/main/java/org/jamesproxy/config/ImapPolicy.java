package org.jamesproxy.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;

/** An {@code <imapproxy>} element: the shared policy plus what only IMAP needs. */
public final class ImapPolicy {
    public static final ProxyPolicy.DefaultPorts PORTS = new ProxyPolicy.DefaultPorts(143, 993);
    public static final PolicyKind<ImapPolicy> KIND = new PolicyKind<>("imapproxy", ImapPolicy::parse, ImapPolicy::getPolicy);

    public static ImapPolicy parse(ConfigValues element, Map<String, TlsProfile> profiles) throws ConfigurationException {
        ProxyPolicy policy = ProxyPolicy.parse(element, profiles, PORTS, "imapproxy");
        return new ImapPolicy(policy,
            element.duration("imapIdleTimeout", "31m"),
            element.size("limits.maxLiteralSize", "50M"),
            element.integer("limits.maxPipelinedCommands", 64, 1, 10_000),
            (int) Math.min(Integer.MAX_VALUE, element.size("limits.maxUpstreamLineLength", "4M")),
            ViewCacheSettings.parse(element));
    }

    private final ProxyPolicy policy;
    private final Duration imapIdleTimeout;
    private final long maxLiteralSize;
    private final int maxPipelinedCommands;
    private final int maxUpstreamLineLength;
    private final ViewCacheSettings viewCache;

    public ImapPolicy(ProxyPolicy policy, Duration imapIdleTimeout, long maxLiteralSize, int maxPipelinedCommands,
                      int maxUpstreamLineLength, ViewCacheSettings viewCache) {
        this.policy = policy;
        this.imapIdleTimeout = imapIdleTimeout;
        this.maxLiteralSize = maxLiteralSize;
        this.maxPipelinedCommands = maxPipelinedCommands;
        this.maxUpstreamLineLength = maxUpstreamLineLength;
        this.viewCache = viewCache;
    }

    public ProxyPolicy getPolicy() {
        return policy;
    }

    /** Client silence allowed while in IDLE (RFC 2177: clients re-issue IDLE at least every 29 minutes). */
    public Duration getImapIdleTimeout() {
        return imapIdleTimeout;
    }

    public long getMaxLiteralSize() {
        return maxLiteralSize;
    }

    public int getMaxPipelinedCommands() {
        return maxPipelinedCommands;
    }

    public int getMaxUpstreamLineLength() {
        return maxUpstreamLineLength;
    }

    /** The bounds of the inspected-message cache FETCH items are answered from ({@code partialFetch inspect}). */
    public ViewCacheSettings getViewCache() {
        return viewCache;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof ImapPolicy) {
            ImapPolicy that = (ImapPolicy) o;
            return maxLiteralSize == that.maxLiteralSize
                && maxPipelinedCommands == that.maxPipelinedCommands
                && maxUpstreamLineLength == that.maxUpstreamLineLength
                && Objects.equals(policy, that.policy)
                && Objects.equals(imapIdleTimeout, that.imapIdleTimeout)
                && Objects.equals(viewCache, that.viewCache);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(policy, imapIdleTimeout, maxLiteralSize, maxPipelinedCommands, maxUpstreamLineLength, viewCache);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("policy", policy)
            .add("imapIdleTimeout", imapIdleTimeout)
            .add("maxLiteralSize", maxLiteralSize)
            .add("maxPipelinedCommands", maxPipelinedCommands)
            .add("viewCache", viewCache)
            .toString();
    }
}
