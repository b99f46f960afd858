package org.jamesproxy.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A scripted SMTP server for relay tests: plain java sockets on 127.0.0.1 (random port), one thread per
 * connection. It speaks enough ESMTP for a proxy (EHLO/HELO, STARTTLS, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, RSET,
 * NOOP, QUIT), records every command line and every message it received in full (raw, still dot-stuffed), counts
 * DATA commands and abandoned (unterminated) messages, and misbehaves on request.
 */
public final class FakeSmtpUpstream implements FakeUpstream {
    public static final List<String> DEFAULT_KEYWORDS = List.of("PIPELINING", "SIZE 10240000", "8BITMIME",
        "ENHANCEDSTATUSCODES", "SMTPUTF8", "DSN", "CHUNKING", "BINARYMIME", "VRFY", "ETRN", "STARTTLS", "AUTH PLAIN LOGIN",
        "X-EXPERIMENTAL");

    /** What the server does at the end of a message. */
    public enum DataEnd {
        REPLY, DROP_MID_DATA, DROP_AT_DOT
    }

    public static FakeSmtpUpstream start() throws IOException {
        return new FakeSmtpUpstream(new ServerSocket(0, 200, InetAddress.getLoopbackAddress()), false);
    }

    public static FakeSmtpUpstream startImplicitTls(SSLContext context) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
            .createServerSocket(0, 200, InetAddress.getLoopbackAddress());
        FakeSmtpUpstream upstream = new FakeSmtpUpstream(socket, true);
        upstream.tlsContext = context;
        return upstream;
    }

    private final ServerSocket serverSocket;
    private final boolean implicitTls;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<byte[]> messages = new CopyOnWriteArrayList<>();
    private final AtomicInteger dataCommands = new AtomicInteger();
    private final AtomicInteger abandonedMessages = new AtomicInteger();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger acceptedConnections = new AtomicInteger();

    private volatile String greeting = "220 fake.upstream ESMTP Fake";
    private volatile List<String> keywords = DEFAULT_KEYWORDS;
    private volatile String xclientReply = "220 fake.upstream ESMTP";
    private volatile List<String> tlsKeywords = DEFAULT_KEYWORDS.stream().filter(k -> !k.equals("STARTTLS")).toList();
    private volatile String startTlsReply = "220 2.0.0 Ready to start TLS";
    private volatile String startTlsInjection = "";
    private volatile SSLContext tlsContext;
    private volatile String mailReply = "250 2.1.0 Sender ok";
    private volatile String rcptReply = "250 2.1.5 Recipient ok";
    private volatile String rejectedRecipient = "";
    private volatile String dataReply = "354 Start mail input; end with <CRLF>.<CRLF>";
    private volatile String endReply = "250 2.0.0 Ok: queued as FAKE-42";
    private volatile DataEnd dataEnd = DataEnd.REPLY;

    private FakeSmtpUpstream(ServerSocket serverSocket, boolean implicitTls) {
        this.serverSocket = serverSocket;
        this.implicitTls = implicitTls;
        Thread acceptor = new Thread(this::acceptLoop, "fake-smtp-acceptor-" + serverSocket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Script

    /** The reply to XCLIENT (default: a new 220 greeting, as Postfix gives an authorized client). */
    public FakeSmtpUpstream xclientReply(String reply) {
        this.xclientReply = reply;
        return this;
    }

    public FakeSmtpUpstream greeting(String greeting) {
        this.greeting = greeting;
        return this;
    }

    public FakeSmtpUpstream keywords(List<String> keywords) {
        this.keywords = keywords;
        return this;
    }

    public FakeSmtpUpstream tlsKeywords(List<String> keywords) {
        this.tlsKeywords = keywords;
        return this;
    }

    public FakeSmtpUpstream startTlsReply(String reply) {
        this.startTlsReply = reply;
        return this;
    }

    /** Bytes sent right behind the 220 to STARTTLS, in the same write: the upstream-side injection. */
    public FakeSmtpUpstream startTlsInjection(String bytes) {
        this.startTlsInjection = bytes;
        return this;
    }

    public FakeSmtpUpstream startTlsContext(SSLContext context) {
        this.tlsContext = context;
        return this;
    }

    public FakeSmtpUpstream mailReply(String reply) {
        this.mailReply = reply;
        return this;
    }

    /** The reply to RCPT TO:&lt;address&gt; for this one address (others get 250). */
    public FakeSmtpUpstream rejectRecipient(String address, String reply) {
        this.rejectedRecipient = address;
        this.rcptReply = reply;
        return this;
    }

    public FakeSmtpUpstream dataReply(String reply) {
        this.dataReply = reply;
        return this;
    }

    public FakeSmtpUpstream endReply(String reply) {
        this.endReply = reply;
        return this;
    }

    public FakeSmtpUpstream dataEnd(DataEnd dataEnd) {
        this.dataEnd = dataEnd;
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Observations

    public int port() {
        return serverSocket.getLocalPort();
    }

    public List<String> received() {
        return List.copyOf(received);
    }

    @Override
    public List<String> receivedLines() {
        return received();
    }

    @Override
    public List<Throwable> errors() {
        return List.copyOf(errors);
    }

    @Override
    public boolean receivedCommand(String verb) {
        return received.stream().anyMatch(line -> line.toUpperCase(Locale.US).startsWith(verb.toUpperCase(Locale.US)));
    }

    /** Complete messages (final dot received), raw as on the wire without the final dot line. */
    public List<byte[]> messages() {
        return List.copyOf(messages);
    }

    public int dataCommands() {
        return dataCommands.get();
    }

    /** Messages whose connection ended before their final dot. */
    public int abandonedMessages() {
        return abandonedMessages.get();
    }

    @Override
    public int openConnections() {
        return openConnections.get();
    }

    @Override
    public int acceptedConnections() {
        return acceptedConnections.get();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Server

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                sockets.add(socket);
                acceptedConnections.incrementAndGet();
                openConnections.incrementAndGet();
                Thread thread = new Thread(() -> serve(socket), "fake-smtp-" + socket.getPort());
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private final class Connection {
        Socket socket;
        InputStream in;
        OutputStream out;
        boolean tls;

        Connection(Socket socket, boolean tls) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.tls = tls;
        }

        void reply(String text) throws IOException {
            out.write((text + "\r\n").getBytes(ISO_8859_1));
            out.flush();
        }

        /** A line including its line ending, or null at end of stream. */
        byte[] readRawLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                line.write(b);
                if (b == '\n') {
                    return line.toByteArray();
                }
            }
            return line.size() == 0 ? null : line.toByteArray();
        }

        String readLine() throws IOException {
            byte[] raw = readRawLine();
            if (raw == null) {
                return null;
            }
            String text = new String(raw, ISO_8859_1);
            return text.replaceAll("\r?\n$", "");
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            Connection connection = new Connection(socket, implicitTls);
            connection.reply(greeting);
            String line;
            while ((line = connection.readLine()) != null) {
                received.add(line);
                if (!handle(connection, line)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the proxy closed or the test dropped the connection
        } catch (RuntimeException e) {
            errors.add(e);
        } finally {
            openConnections.decrementAndGet();
        }
    }

    private boolean handle(Connection connection, String line) throws IOException {
        String upper = line.toUpperCase(Locale.US);
        if (upper.startsWith("EHLO")) {
            List<String> offered = connection.tls ? tlsKeywords : keywords;
            StringBuilder reply = new StringBuilder("250" + (offered.isEmpty() ? " " : "-") + "fake.upstream Hello");
            for (int i = 0; i < offered.size(); i++) {
                reply.append("\r\n250").append(i == offered.size() - 1 ? " " : "-").append(offered.get(i));
            }
            connection.reply(reply.toString());
        } else if (upper.startsWith("XCLIENT ")) {
            // Postfix: the session restarts as if the named client had connected, with a new greeting.
            connection.reply(xclientReply);
        } else if (upper.startsWith("HELO")) {
            connection.reply("250 fake.upstream");
        } else if (upper.equals("STARTTLS")) {
            connection.out.write((startTlsReply + "\r\n" + startTlsInjection).getBytes(ISO_8859_1));
            connection.out.flush();
            if (startTlsReply.startsWith("220")) {
                SSLSocket ssl = (SSLSocket) tlsContext.getSocketFactory().createSocket(connection.socket, null,
                    connection.socket.getPort(), false);
                ssl.setUseClientMode(false);
                ssl.startHandshake();
                connection.socket = ssl;
                connection.in = new BufferedInputStream(ssl.getInputStream());
                connection.out = ssl.getOutputStream();
                connection.tls = true;
            }
        } else if (upper.startsWith("AUTH PLAIN ")) {
            connection.reply("235 2.7.0 Authentication successful");
        } else if (upper.equals("AUTH PLAIN")) {
            connection.reply("334 ");
            String response = connection.readLine();
            received.add(response);
            connection.reply(response.equals("*") ? "501 5.7.0 Authentication aborted" : "235 2.7.0 Authentication successful");
        } else if (upper.equals("AUTH LOGIN")) {
            connection.reply("334 VXNlcm5hbWU6");
            received.add(connection.readLine());
            connection.reply("334 UGFzc3dvcmQ6");
            received.add(connection.readLine());
            connection.reply("235 2.7.0 Authentication successful");
        } else if (upper.startsWith("MAIL FROM:")) {
            connection.reply(mailReply);
        } else if (upper.startsWith("RCPT TO:")) {
            boolean rejected = !rejectedRecipient.isEmpty() && upper.contains("<" + rejectedRecipient.toUpperCase(Locale.US) + ">");
            connection.reply(rejected ? rcptReply : "250 2.1.5 Recipient ok");
        } else if (upper.equals("DATA")) {
            dataCommands.incrementAndGet();
            connection.reply(dataReply);
            if (dataReply.startsWith("354")) {
                return receiveMessage(connection);
            }
        } else if (upper.equals("RSET")) {
            connection.reply("250 2.0.0 Ok");
        } else if (upper.equals("NOOP")) {
            connection.reply("250 2.0.0 Ok");
        } else if (upper.equals("QUIT")) {
            connection.reply("221 2.0.0 Bye");
            return false;
        } else {
            connection.reply("502 5.5.2 Error: command not recognized");
        }
        return true;
    }

    private boolean receiveMessage(Connection connection) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        boolean dropped = false;
        while (true) {
            byte[] line = connection.readRawLine();
            if (line == null) {
                abandonedMessages.incrementAndGet();
                return false;
            }
            if (new String(line, ISO_8859_1).equals(".\r\n")) {
                break;
            }
            message.write(line);
            if (dataEnd == DataEnd.DROP_MID_DATA && message.size() > 0 && !dropped) {
                abandonedMessages.incrementAndGet();
                connection.socket.close();
                return false;
            }
        }
        if (dataEnd == DataEnd.DROP_AT_DOT) {
            connection.socket.close();
            return false;
        }
        messages.add(message.toByteArray());
        connection.reply(endReply);
        return true;
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
