package org.jamesproxy.pop3;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableSet;

/**
 * Rewrites the upstream's CAPA list (RFC 2449) into what the proxy honestly offers on one client connection.
 * An allow-list: an extension we do not know may change the framing or the session, so it is not advertised.
 * STLS and PIPELINING describe our client leg, so they are ours to add, never the upstream's.
 * <p>
 * Unlike James, where each handler advertises what it implements, the list stays whole here: it filters what the
 * mail server implements, and an allow-list is reviewed in one place. What advertising shares with the command
 * handlers ({@link Pop3Credentials}, {@link Pop3Stls}) is the client-leg rule, {@link ClientLeg}, so what CAPA hides
 * and what the handlers refuse cannot drift apart.
 */
final class Pop3Capabilities {
    private static final Set<String> RELAYED = ImmutableSet.of(
        "TOP", "UIDL", "USER", "SASL", "RESP-CODES", "AUTH-RESP-CODE", "EXPIRE", "LOGIN-DELAY");

    /** What the client leg looks like at the moment the list is sent. */
    static final class ClientLeg {
        final boolean tlsActive;
        final boolean stlsOffered;
        final boolean plaintextAuthAllowed;

        ClientLeg(boolean tlsActive, boolean stlsOffered, boolean plaintextAuthAllowed) {
            this.tlsActive = tlsActive;
            this.stlsOffered = stlsOffered;
            this.plaintextAuthAllowed = plaintextAuthAllowed;
        }

        /** Whether credentials of any kind (USER/PASS, APOP, AUTH with any mechanism) may be sent now. */
        boolean mayAuthenticateInClear() {
            return tlsActive || plaintextAuthAllowed;
        }
    }

    private Pop3Capabilities() {
    }

    /**
     * @param upstream the capability lines as the mail server sent them (no CRLF, no terminator)
     * @return the lines to send to the client, in the upstream's order, ours appended
     */
    static List<String> rewrite(List<String> upstream, ClientLeg leg) {
        List<String> lines = new ArrayList<>();
        for (String line : upstream) {
            List<String> words = Splitter.on(' ').omitEmptyStrings().trimResults().splitToList(line);
            if (words.isEmpty()) {
                continue;
            }
            String name = words.get(0).toUpperCase(Locale.US);
            if (!RELAYED.contains(name)) {
                continue;
            }
            if (name.equals("USER") && !leg.mayAuthenticateInClear()) {
                continue;
            }
            if (name.equals("SASL") && !leg.mayAuthenticateInClear()) {
                // Every AUTH is refused until STLS (Pop3Credentials): none is advertised.
                continue;
            }
            lines.add(line.trim());
        }
        if (leg.stlsOffered && !leg.tlsActive) {
            lines.add("STLS");
        }
        // Ours: the relay takes pipelined commands one at a time (see Pop3ProxySession), whatever the upstream does.
        lines.add("PIPELINING");
        return lines;
    }

    static boolean offers(List<String> capabilities, String name) {
        return capabilities.stream()
            .map(line -> Splitter.on(' ').omitEmptyStrings().splitToList(line))
            .anyMatch(words -> !words.isEmpty() && words.get(0).equalsIgnoreCase(name));
    }
}
