package org.jamesproxy.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * Reading the upstream's EHLO keywords and writing the client's EHLO answer. The client is offered only what the relay
 * carries faithfully: the keywords below, and what each command handler advertises for itself (SIZE, AUTH, STARTTLS).
 * CHUNKING/BDAT, BINARYMIME and everything unknown are never advertised: a client using them would get replies the
 * proxy cannot honour, and an advertised extension answered with a fake 250 loses mail.
 */
final class SmtpExtensions {
    /** Relayed as the upstream words them. */
    private static final ImmutableSet<String> PASSED = ImmutableSet.of("8BITMIME", "PIPELINING", "ENHANCEDSTATUSCODES",
        "SMTPUTF8", "DSN");

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

    /** The upstream's keywords the relay carries as they are worded (PIPELINING, 8BITMIME, DSN...). */
    static List<String> passedThrough(List<String> upstreamKeywords) {
        return upstreamKeywords.stream().filter(keyword -> PASSED.contains(name(keyword))).map(String::trim).toList();
    }

    /** The upstream's line for one extension with parameters, e.g. {@code AUTH PLAIN LOGIN}; none when it has no parameter. */
    static Optional<String> upstreamLine(List<String> upstreamKeywords, String keyword) {
        return upstreamKeywords.stream()
            .filter(line -> name(line).equals(keyword) && line.trim().length() > keyword.length())
            .map(String::trim)
            .findFirst();
    }

    /** A multi-line 250 reply: the greeting line, then one keyword a line; CRLF-terminated lines. */
    static String reply(String greetingLine, List<String> keywords) {
        List<String> lines = new ArrayList<>();
        lines.add(greetingLine);
        lines.addAll(keywords);
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
