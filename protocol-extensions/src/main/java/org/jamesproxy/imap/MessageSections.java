package org.jamesproxy.imap;

import java.util.Arrays;

/** Cuts an RFC 5322 message at the end of its header section. */
final class MessageSections {
    private MessageSections() {
    }

    /** The header fields and the empty line that ends them; the whole input when it has no body. */
    static byte[] headerSection(byte[] message) {
        for (int i = 0; i + 1 < message.length; i++) {
            if (message[i] == '\n' && (message[i + 1] == '\n'
                || (message[i + 1] == '\r' && i + 2 < message.length && message[i + 2] == '\n'))) {
                int end = message[i + 1] == '\n' ? i + 2 : i + 3;
                return Arrays.copyOf(message, end);
            }
        }
        return message;
    }
}
