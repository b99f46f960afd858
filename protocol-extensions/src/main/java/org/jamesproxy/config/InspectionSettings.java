package org.jamesproxy.config;

import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;

import org.jamesproxy.inspection.OnError;

import com.google.common.base.MoreObjects;

/** Which messages a policy's proxy action sees, and what happens to those it cannot. */
public final class InspectionSettings {
    public enum Oversize {
        /** Relay unchanged without inspection (logged). */
        PASS,
        /** Replace with the deny notice. */
        REPLACE
    }

    /** What a client's request for part of a message (a section, a window, the header) is answered from. */
    public enum PartialFetch {
        /** From the inspected whole message (IMAP: the inspected view; the default). */
        INSPECT,
        /** From the mail server, uninspected (the opt-out of older releases; logged at boot). */
        PASS,
        /** Refused: NIL (IMAP) or -ERR (POP3 partial TOP). */
        DENY
    }

    public static final InspectionSettings DEFAULT = new InspectionSettings(Optional.empty(), 25L * 1024 * 1024,
        Oversize.PASS, PartialFetch.INSPECT, OnError.DENY);

    static InspectionSettings parse(ConfigValues policy) throws ConfigurationException {
        Optional<String> action = policy.optionalString("proxyAction");
        ConfigValues inspection = policy.has("inspection") ? policy.child("inspection", "inspection") : policy;
        String prefix = policy.has("inspection") ? "" : "inspection.";
        return new InspectionSettings(action,
            inspection.size(prefix + "maxMessageSize", "25M"),
            inspection.enumValue(prefix + "oversize", Oversize.class, Oversize.PASS),
            inspection.enumValue(prefix + "partialFetch", PartialFetch.class, PartialFetch.INSPECT),
            inspection.enumValue(prefix + "onError", OnError.class, OnError.DENY));
    }

    private final Optional<String> proxyAction;
    private final long maxMessageSize;
    private final Oversize oversize;
    private final PartialFetch partialFetch;
    private final OnError onError;

    public InspectionSettings(Optional<String> proxyAction, long maxMessageSize, Oversize oversize,
                              PartialFetch partialFetch, OnError onError) {
        this.proxyAction = proxyAction;
        this.maxMessageSize = maxMessageSize;
        this.oversize = oversize;
        this.partialFetch = partialFetch;
        this.onError = onError;
    }

    /** The name of the proxy action; empty: messages are relayed without inspection. */
    public Optional<String> getProxyAction() {
        return proxyAction;
    }

    public long getMaxMessageSize() {
        return maxMessageSize;
    }

    public Oversize getOversize() {
        return oversize;
    }

    public PartialFetch getPartialFetch() {
        return partialFetch;
    }

    public OnError getOnError() {
        return onError;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof InspectionSettings) {
            InspectionSettings that = (InspectionSettings) o;
            return maxMessageSize == that.maxMessageSize
                && Objects.equals(proxyAction, that.proxyAction)
                && oversize == that.oversize
                && partialFetch == that.partialFetch
                && onError == that.onError;
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(proxyAction, maxMessageSize, oversize, partialFetch, onError);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("proxyAction", proxyAction)
            .add("maxMessageSize", maxMessageSize)
            .add("oversize", oversize)
            .add("partialFetch", partialFetch)
            .add("onError", onError)
            .toString();
    }
}
