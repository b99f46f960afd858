package org.jamesproxy.client;

import java.util.Optional;

import org.jamesproxy.config.TlsAction;

/** Where a client's outbound connection goes and what is done with its TLS, or why it is refused. */
public final class Destination {
    static Destination refused(Optional<String> requestedName, String reason) {
        return new Destination(requestedName.orElse("(none)"), TlsAction.DROP, Optional.of(reason));
    }

    static Destination of(String hostName, TlsAction action) {
        return new Destination(hostName, action, Optional.empty());
    }

    private final String hostName;
    private final TlsAction action;
    private final Optional<String> refusal;

    private Destination(String hostName, TlsAction action, Optional<String> refusal) {
        this.hostName = hostName;
        this.action = action;
        this.refusal = refusal;
    }

    /** The destination's name, lower case: what the upstream certificate must carry and the minted leaf copies. */
    public String hostName() {
        return hostName;
    }

    /** DROP for a refusal. */
    public TlsAction action() {
        return action;
    }

    /** Why the destination is not allowed (not on the allow-list, no SNI...); empty when routed. */
    public Optional<String> refusal() {
        return refusal;
    }

    @Override
    public String toString() {
        return hostName + " (" + refusal.map(reason -> "refused: " + reason).orElse(action.name().toLowerCase(java.util.Locale.US)) + ")";
    }
}
