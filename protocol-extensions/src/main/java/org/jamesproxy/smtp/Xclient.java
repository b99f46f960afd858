package org.jamesproxy.smtp;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.jamesproxy.haproxy.ClientAddress;

/**
 * The XCLIENT command (Postfix's extension, also Dovecot's submission and nginx's mail proxy) that names the real
 * client to an upstream that trusts the proxy for it: {@code ADDR}, {@code PORT}, {@code DESTADDR}, {@code DESTPORT}
 * and {@code NAME=[UNAVAILABLE]} (the proxy resolves no names), each only when the upstream lists the attribute in its
 * {@code XCLIENT} EHLO keyword. The values are IP literals and digits, which need no xtext encoding.
 */
final class Xclient {
    private Xclient() {
    }

    /** The command, or empty when the upstream's EHLO does not offer XCLIENT (or no attribute we can fill). */
    static Optional<String> command(List<String> upstreamKeywords, ClientAddress client) {
        Optional<String> line = SmtpExtensions.upstreamLine(upstreamKeywords, "XCLIENT");
        if (line.isEmpty()) {
            return Optional.empty();
        }
        Set<String> offered = List.of(line.get().trim().split("\\s+")).stream().skip(1)
            .map(word -> word.toUpperCase(Locale.US)).collect(Collectors.toSet());
        List<String> attributes = new ArrayList<>();
        if (offered.contains("NAME")) {
            attributes.add("NAME=[UNAVAILABLE]");
        }
        if (offered.contains("ADDR")) {
            attributes.add("ADDR=" + address(client.source().getAddress()));
        }
        if (offered.contains("PORT")) {
            attributes.add("PORT=" + client.source().getPort());
        }
        if (offered.contains("DESTADDR")) {
            attributes.add("DESTADDR=" + address(client.destination().getAddress()));
        }
        if (offered.contains("DESTPORT")) {
            attributes.add("DESTPORT=" + client.destination().getPort());
        }
        if (!offered.contains("ADDR")) {
            // Without ADDR the upstream would still see the proxy: not worth a command.
            return Optional.empty();
        }
        return Optional.of("XCLIENT " + String.join(" ", attributes));
    }

    /** Postfix writes IPv6 addresses with an {@code IPV6:} prefix. */
    private static String address(java.net.InetAddress address) {
        String literal = address.getHostAddress();
        int scope = literal.indexOf('%');
        if (scope >= 0) {
            literal = literal.substring(0, scope);
        }
        return address instanceof Inet6Address ? "IPV6:" + literal : literal;
    }
}
