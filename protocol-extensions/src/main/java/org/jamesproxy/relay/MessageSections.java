package org.jamesproxy.relay;

import java.util.Arrays;

/**
 * Cuts an RFC 5322 message at the end of its header section. Shared by the relays that inspect a header-only
 * retrieval (IMAP BODY[HEADER], POP3 TOP) by its header section.
 */
public final class MessageSections {
    private MessageSections() {
    }

    /** The header fields and the empty line that ends them; the whole input when it has no body. */
    public static byte[] headerSection(byte[] message) {
        int end = headerEnd(message);
        return end < 0 ? message : Arrays.copyOf(message, end);
    }

    /** The offset just after the empty line that ends the header section, or -1 when there is none. */
    public static int headerEnd(byte[] message) {
        if (message.length >= 2 && message[0] == '\r' && message[1] == '\n') {
            return 2;
        }
        if (message.length >= 1 && message[0] == '\n') {
            return 1;
        }
        for (int i = 0; i + 1 < message.length; i++) {
            if (message[i] == '\n' && (message[i + 1] == '\n'
                || (message[i + 1] == '\r' && i + 2 < message.length && message[i + 2] == '\n'))) {
                return message[i + 1] == '\n' ? i + 2 : i + 3;
            }
        }
        return -1;
    }
}
