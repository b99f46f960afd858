package org.jamesproxy.config;

import java.util.Map;
import java.util.Objects;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;

/** A {@code <pop3proxy>} element: the shared policy plus what only POP3 needs. */
public final class Pop3Policy {
    public static final ProxyPolicy.DefaultPorts PORTS = new ProxyPolicy.DefaultPorts(110, 995);
    public static final PolicyKind<Pop3Policy> KIND = new PolicyKind<>("pop3proxy", Pop3Policy::parse, Pop3Policy::getPolicy);

    public static Pop3Policy parse(ConfigValues element, Map<String, TlsProfile> profiles) throws ConfigurationException {
        ProxyPolicy policy = ProxyPolicy.parse(element, profiles, PORTS, "pop3proxy");
        return new Pop3Policy(policy,
            element.integer("limits.maxPipelinedCommands", 64, 1, 10_000),
            (int) Math.min(Integer.MAX_VALUE, element.size("limits.maxUpstreamLineLength", "1M")),
            (int) Math.min(Integer.MAX_VALUE, element.size("limits.maxListingSize", "16M")),
            element.bool("offerApop", true));
    }

    private final ProxyPolicy policy;
    private final int maxPipelinedCommands;
    private final int maxUpstreamLineLength;
    private final int maxListingSize;
    private final boolean offerApop;

    public Pop3Policy(ProxyPolicy policy, int maxPipelinedCommands, int maxUpstreamLineLength, int maxListingSize,
                      boolean offerApop) {
        this.policy = policy;
        this.maxPipelinedCommands = maxPipelinedCommands;
        this.maxUpstreamLineLength = maxUpstreamLineLength;
        this.maxListingSize = maxListingSize;
        this.offerApop = offerApop;
    }

    public ProxyPolicy getPolicy() {
        return policy;
    }

    /** Commands a client may have sent ahead of their responses; beyond it the session is closed. */
    public int getMaxPipelinedCommands() {
        return maxPipelinedCommands;
    }

    /** Longest line accepted from the mail server (status lines and, while inspecting, message lines). */
    public int getMaxUpstreamLineLength() {
        return maxUpstreamLineLength;
    }

    /** Largest multi-line answer other than a message (CAPA, LIST, UIDL) relayed to the client. */
    public int getMaxListingSize() {
        return maxListingSize;
    }

    /**
     * Whether the upstream greeting's APOP challenge is passed on to clients (so they may use APOP). False for a
     * mail server that greets with a challenge but cannot check APOP (James 3.8.1 with hashed passwords): clients
     * such as curl prefer APOP when they see a challenge and do not fall back to USER/PASS when it fails.
     */
    public boolean isOfferApop() {
        return offerApop;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof Pop3Policy) {
            Pop3Policy that = (Pop3Policy) o;
            return maxPipelinedCommands == that.maxPipelinedCommands
                && maxUpstreamLineLength == that.maxUpstreamLineLength
                && maxListingSize == that.maxListingSize
                && offerApop == that.offerApop
                && Objects.equals(policy, that.policy);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(policy, maxPipelinedCommands, maxUpstreamLineLength, maxListingSize, offerApop);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("policy", policy)
            .add("maxPipelinedCommands", maxPipelinedCommands)
            .add("maxUpstreamLineLength", maxUpstreamLineLength)
            .add("maxListingSize", maxListingSize)
            .add("offerApop", offerApop)
            .toString();
    }
}
