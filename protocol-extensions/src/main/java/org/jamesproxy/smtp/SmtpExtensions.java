package org.jamesproxy.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * The EHLO answer the client gets: the upstream's extensions cut down to those the relay carries faithfully.
 * CHUNKING/BDAT, BINARYMIME and everything unknown are never advertised: a client using them would get replies
 * the proxy cannot honour, and an advertised extension answered with a fake 250 loses mail.
 */
final class SmtpExtensions {
    /** Relayed as the upstream words them. */
    private static final ImmutableSet<String> PASSED = ImmutableSet.of("8BITMIME", "PIPELINING", "ENHANCEDSTATUSCODES",
        "SMTPUTF8", "DSN");

    /** What the client leg allows at this point of the session. */
    static final class ClientLeg {
        final boolean offerStartTls;
        final boolean offerAuth;

        ClientLeg(boolean offerStartTls, boolean offerAuth) {
            this.offerStartTls = offerStartTls;
            this.offerAuth = offerAuth;
        }
    }

    private SmtpExtensions() {
    }

    /** The keywords of an EHLO reply (every line after the first, which is the greeting). */
    static List<String> keywords(SmtpReply ehlo) {
        List<String> texts = ehlo.texts();
        return texts.size() <= 1 ? ImmutableList.of() : ImmutableList.copyOf(texts.subList(1, texts.size()));
    }

    static boolean has(List<String> keywords, String keyword) {
        return keywords.stream().anyMatch(line -> name(line).equals(keyword));
    }

    /** The upstream's SIZE limit, when it announced a non-zero one. */
    static Optional<Long> upstreamSize(List<String> keywords) {
        return keywords.stream()
            .filter(line -> name(line).equals("SIZE"))
            .map(line -> line.trim().split("\\s+"))
            .filter(words -> words.length > 1)
            .map(words -> {
                try {
                    return Long.parseLong(words[1]);
                } catch (NumberFormatException e) {
                    return 0L;
                }
            })
            .filter(size -> size > 0)
            .findFirst();
    }

    /**
     * @param greetingLine the first line's text, e.g. "proxy.example Hello client.example"
     * @return the full multi-line 250 reply, CRLF-terminated lines
     */
    static String rewrite(String greetingLine, List<String> upstreamKeywords, ClientLeg leg, long maxMessageSize) {
        List<String> lines = new ArrayList<>();
        lines.add(greetingLine);
        long size = upstreamSize(upstreamKeywords).map(upstream -> Math.min(upstream, maxMessageSize)).orElse(maxMessageSize);
        lines.add("SIZE " + size);
        for (String keyword : upstreamKeywords) {
            String name = name(keyword);
            if (PASSED.contains(name)) {
                lines.add(keyword.trim());
            } else if (name.equals("AUTH") && leg.offerAuth && keyword.trim().length() > 4) {
                lines.add(keyword.trim());
            }
        }
        if (leg.offerStartTls) {
            lines.add("STARTTLS");
        }
        StringBuilder reply = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            reply.append("250").append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i)).append("\r\n");
        }
        return reply.toString();
    }

    private static String name(String keyword) {
        String trimmed = keyword.trim();
        int space = trimmed.indexOf(' ');
        return (space < 0 ? trimmed : trimmed.substring(0, space)).toUpperCase(Locale.US);
    }
}
