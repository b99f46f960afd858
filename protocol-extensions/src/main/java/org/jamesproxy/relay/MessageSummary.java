package org.jamesproxy.relay;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.jamesproxy.inspection.InspectionContext;

/**
 * Who a message is from and to, for the one log line of its verdict: the SMTP envelope when there is one, else the
 * message's own From, To and Message-ID headers (IMAP, POP3). Reads the header section only, within a bound.
 */
final class MessageSummary {
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_VALUE_LENGTH = 200;
    private static final List<String> WANTED = List.of("from", "to", "message-id");
    // Compiled once: this runs on the event loop for every message the action changed or refused.
    private static final Pattern LINE_BREAK = Pattern.compile("\r?\n");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private MessageSummary() {
    }

    static String of(InspectionContext context, byte[] message) {
        Map<String, String> headers = headers(message);
        String from;
        String to;
        if (!context.getRecipients().isEmpty()) {
            from = context.getSender().asString();
            to = context.getRecipients().stream().map(MailAddress::asString).collect(Collectors.joining(", "));
        } else {
            from = headers.getOrDefault("from", "?");
            to = headers.getOrDefault("to", "?");
        }
        String messageId = headers.containsKey("message-id") ? ", message-id " + headers.get("message-id") : "";
        return "from " + from + " to " + to + messageId;
    }

    private static Map<String, String> headers(byte[] message) {
        // The header section only: this runs for every inspected message, and bodies are large.
        int length = headerLength(message, Math.min(message.length, MAX_HEADER_BYTES));
        String text = new String(message, 0, length, StandardCharsets.ISO_8859_1);
        Map<String, String> found = new LinkedHashMap<>();
        String current = null;
        for (String line : LINE_BREAK.split(text, -1)) {
            if (line.isEmpty()) {
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                found.computeIfPresent(current, (name, value) -> bounded(value + " " + line.strip()));
                continue;
            }
            int colon = line.indexOf(':');
            current = null;
            if (colon > 0) {
                String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                if (WANTED.contains(name) && !found.containsKey(name)) {
                    found.put(name, bounded(line.substring(colon + 1).strip()));
                    current = name;
                }
            }
        }
        return found;
    }

    /** Up to the blank line that ends the header section (or the bound). */
    private static int headerLength(byte[] message, int bound) {
        for (int i = 0; i + 1 < bound; i++) {
            if (message[i] == '\n' && (message[i + 1] == '\n'
                || message[i + 1] == '\r' && i + 2 < bound && message[i + 2] == '\n')) {
                return i + 1;
            }
        }
        return bound;
    }

    private static String bounded(String value) {
        String oneLine = CONTROL.matcher(value).replaceAll(" ");
        return oneLine.length() <= MAX_VALUE_LENGTH ? oneLine : oneLine.substring(0, MAX_VALUE_LENGTH - 3) + "...";
    }
}
