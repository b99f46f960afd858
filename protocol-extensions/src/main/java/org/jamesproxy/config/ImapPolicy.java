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

    /** What becomes of a message a client uploads with APPEND. */
    public enum Append {
        /** Run through the proxy action; a deny verdict is answered NO and never reaches the server. */
        INSPECT,
        /** Relayed as it is. */
        PASS
    }

    public static ImapPolicy parse(ConfigValues element, Map<String, TlsProfile> profiles) throws ConfigurationException {
        ProxyPolicy policy = ProxyPolicy.parse(element, profiles, PORTS, "imapproxy");
        // Uploads through a Client (outbound) policy leave the organisation: inspected by default. Toward the
        // organisation's own server, they are the users' own Sent/Drafts copies: relayed by default.
        Append appendDefault = policy.getClientAction().isPresent() ? Append.INSPECT : Append.PASS;
        return new ImapPolicy(policy,
            element.duration("imapIdleTimeout", "31m"),
            element.size("limits.maxLiteralSize", "50M"),
            element.integer("limits.maxPipelinedCommands", 64, 1, 10_000),
            (int) Math.min(Integer.MAX_VALUE, element.size("limits.maxUpstreamLineLength", "4M")),
            ViewCacheSettings.parse(element),
            element.enumValue("inspection.append", Append.class, appendDefault));
    }

    private final ProxyPolicy policy;
    private final Duration imapIdleTimeout;
    private final long maxLiteralSize;
    private final int maxPipelinedCommands;
    private final int maxUpstreamLineLength;
    private final ViewCacheSettings viewCache;
    private final Append append;

    public ImapPolicy(ProxyPolicy policy, Duration imapIdleTimeout, long maxLiteralSize, int maxPipelinedCommands,
                      int maxUpstreamLineLength, ViewCacheSettings viewCache, Append append) {
        this.policy = policy;
        this.imapIdleTimeout = imapIdleTimeout;
        this.maxLiteralSize = maxLiteralSize;
        this.maxPipelinedCommands = maxPipelinedCommands;
        this.maxUpstreamLineLength = maxUpstreamLineLength;
        this.viewCache = viewCache;
        this.append = append;
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

    /** {@code <inspection><append>}: inspect (default for a Client-action policy) | pass (default otherwise). */
    public Append getAppend() {
        return append;
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
                && Objects.equals(viewCache, that.viewCache)
                && append == that.append;
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(policy, imapIdleTimeout, maxLiteralSize, maxPipelinedCommands, maxUpstreamLineLength, viewCache, append);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("policy", policy)
            .add("imapIdleTimeout", imapIdleTimeout)
            .add("maxLiteralSize", maxLiteralSize)
            .add("maxPipelinedCommands", maxPipelinedCommands)
            .add("viewCache", viewCache)
            .add("append", append)
            .toString();
    }
}
