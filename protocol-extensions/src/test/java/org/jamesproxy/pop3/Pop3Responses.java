package org.jamesproxy.pop3;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.jamesproxy.testing.ImapTestClient;

/** Reading POP3 answers with the raw test client. */
final class Pop3Responses {
    private Pop3Responses() {
    }

    /** The lines of a multi-line answer after its status line, as on the wire (still dot-stuffed), terminator excluded. */
    static List<String> readListing(ImapTestClient client) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = client.readLine()) != null && !line.equals(".")) {
            lines.add(line);
        }
        if (line == null) {
            throw new IOException("connection closed inside a multi-line answer; got " + lines);
        }
        return lines;
    }

    /** A multi-line message answer, de-stuffed and joined with CRLF (as the client's mailbox would store it). */
    static String readMessage(ImapTestClient client) throws IOException {
        StringBuilder message = new StringBuilder();
        for (String line : readListing(client)) {
            message.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
        }
        return message.toString();
    }
}
