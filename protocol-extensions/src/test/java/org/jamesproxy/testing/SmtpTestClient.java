package org.jamesproxy.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;

/**
 * A raw SMTP client for relay tests, on top of {@link ImapTestClient}'s byte-exact socket: one write per call
 * (pipelining under the test's control) and whole multi-line replies.
 */
public final class SmtpTestClient implements TestClient {
    public static SmtpTestClient connect(int port) throws IOException {
        return new SmtpTestClient(ImapTestClient.connect(port));
    }

    public static SmtpTestClient connectTls(int port, SSLContext context) throws IOException {
        return new SmtpTestClient(ImapTestClient.connectTls(port, context));
    }

    public static SmtpTestClient connectTls(int port, SSLContext context, String serverName) throws IOException {
        return new SmtpTestClient(ImapTestClient.connectTls(port, context, serverName));
    }

    private final ImapTestClient socket;

    private SmtpTestClient(ImapTestClient socket) {
        this.socket = socket;
    }

    @Override
    public SmtpTestClient send(String raw) throws IOException {
        socket.send(raw);
        return this;
    }

    @Override
    public SmtpTestClient sendLine(String line) throws IOException {
        socket.sendLine(line);
        return this;
    }

    /** The lines of the next reply ("250-a", "250 b"); empty at end of stream. */
    public List<String> readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = socket.readLine();
            if (line == null) {
                return lines;
            }
            lines.add(line);
            if (line.length() <= 3 || line.charAt(3) != '-') {
                return lines;
            }
        }
    }

    /** The last line of the next reply, or null at end of stream. */
    public String reply() throws IOException {
        List<String> lines = readReply();
        return lines.isEmpty() ? null : lines.get(lines.size() - 1);
    }

    public String command(String line) throws IOException {
        sendLine(line);
        return reply();
    }

    /** Greeting + EHLO; returns the EHLO reply lines. */
    public List<String> greetAndEhlo() throws IOException {
        String greeting = reply();
        if (greeting == null || !greeting.startsWith("220")) {
            throw new IOException("unexpected greeting " + greeting);
        }
        sendLine("EHLO client.test");
        return readReply();
    }

    @Override
    public void startTls(SSLContext context) throws IOException {
        socket.startTls(context);
    }

    public void startTls(SSLContext context, String serverName) throws IOException {
        socket.startTls(context, serverName);
    }

    /** The raw connection, e.g. to read the TLS peer's certificate. */
    @Override
    public java.net.Socket socket() {
        return socket.socket();
    }

    @Override
    public boolean isTls() {
        return socket.isTls();
    }

    @Override
    public boolean isClosedByPeer() {
        return socket.isClosedByPeer();
    }

    @Override
    public String readUntilClosed() {
        return socket.readUntilClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
