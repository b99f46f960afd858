package org.jamesproxy.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A scripted POP3 server for relay tests: plain java sockets on 127.0.0.1 (random port), one thread per connection.
 * It speaks the RFC 1939/2449/2595/5034 commands a proxy relays (CAPA, STLS, USER/PASS, APOP, AUTH PLAIN with a
 * continuation, STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, QUIT), dot-stuffs its multi-line answers itself,
 * records every line it receives, and can misbehave on request (STLS injection, refusals, bad certificates).
 */
public final class FakePop3Upstream extends FakeLineServer {
    public static final String PASSWORD = "secret";
    public static final String TIMESTAMP = "<1896.697170952@fake.example>";
    public static final List<String> DEFAULT_CAPABILITIES = List.of("TOP", "UIDL", "USER", "SASL PLAIN LOGIN CRAM-MD5",
        "RESP-CODES", "PIPELINING", "STLS", "IMPLEMENTATION fake-pop3", "X-SECRET-EXTENSION");
    public static final List<String> DEFAULT_TLS_CAPABILITIES = List.of("TOP", "UIDL", "USER", "SASL PLAIN LOGIN CRAM-MD5",
        "RESP-CODES", "PIPELINING", "IMPLEMENTATION fake-pop3");

    public static FakePop3Upstream start() throws IOException {
        return new FakePop3Upstream(plainServerSocket(), false);
    }

    public static FakePop3Upstream startImplicitTls(SSLContext context) throws IOException {
        return new FakePop3Upstream(implicitTlsServerSocket(context), true);
    }

    private final Map<Integer, byte[]> messages = new ConcurrentSkipListMap<>();

    private volatile String greeting = "+OK Fake POP3 ready " + TIMESTAMP;
    private volatile List<String> capabilities = DEFAULT_CAPABILITIES;
    private volatile List<String> tlsCapabilities = DEFAULT_TLS_CAPABILITIES;
    private volatile boolean stlsRefused;
    private volatile String stlsInjection = "";

    private FakePop3Upstream(ServerSocket serverSocket, boolean implicitTls) {
        super(serverSocket, implicitTls, "pop3");
        startAccepting();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Script

    public FakePop3Upstream greeting(String greeting) {
        this.greeting = greeting;
        return this;
    }

    /** The CAPA answer in clear (and of an implicit-TLS server). */
    public FakePop3Upstream capabilities(List<String> capabilities) {
        this.capabilities = capabilities;
        return this;
    }

    /** The CAPA answer once STLS completed. */
    public FakePop3Upstream tlsCapabilities(List<String> capabilities) {
        this.tlsCapabilities = capabilities;
        return this;
    }

    public FakePop3Upstream refuseStls() {
        this.stlsRefused = true;
        return this;
    }

    /** Bytes appended to the STLS go-ahead, in the same write: the upstream-side injection. */
    public FakePop3Upstream stlsInjection(String bytes) {
        this.stlsInjection = bytes;
        return this;
    }

    public FakePop3Upstream stlsContext(SSLContext context) {
        this.tlsContext = context;
        return this;
    }

    /** A message in the maildrop, as raw RFC 5322 bytes (the fake dot-stuffs it on RETR/TOP). */
    public FakePop3Upstream message(int number, byte[] content) {
        messages.put(number, content);
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Observations

    public boolean receivedCommand(String name) {
        return receivedLines().stream().anyMatch(line -> line.split(" ")[0].equalsIgnoreCase(name));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Server

    @Override
    protected void converse(Socket socket) throws IOException {
        new Connection(socket).run();
    }

    /** RFC 1939 3: CRLF line endings, leading dots doubled, ".CRLF" at the end. */
    public static byte[] dotStuff(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean lineStart = true;
        for (byte b : content) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        if (!lineStart) {
            out.writeBytes("\r\n".getBytes(ISO_8859_1));
        }
        out.writeBytes(".\r\n".getBytes(ISO_8859_1));
        return out.toByteArray();
    }

    private final class Connection {
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private boolean tls;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.tls = implicitTls;
        }

        void run() throws IOException {
            write(greeting + "\r\n");
            if (!greeting.startsWith("+OK")) {
                return;
            }
            String line;
            while ((line = readLine()) != null) {
                if (!handle(line)) {
                    return;
                }
            }
        }

        /** @return false to end the connection */
        private boolean handle(String line) throws IOException {
            String[] words = line.split(" ");
            String command = words[0].toUpperCase(Locale.US);
            switch (command) {
                case "CAPA":
                    write("+OK capabilities follow\r\n" + String.join("\r\n", tls && !implicitTls ? tlsCapabilities : capabilities)
                        + "\r\n.\r\n");
                    return true;
                case "STLS":
                    return stls();
                case "USER":
                case "APOP":
                case "NOOP":
                case "RSET":
                    write("+OK " + command.toLowerCase(Locale.US) + " done\r\n");
                    return true;
                case "PASS":
                    write(words.length > 1 && words[1].equals(PASSWORD) ? "+OK maildrop locked\r\n" : "-ERR [AUTH] invalid password\r\n");
                    return true;
                case "AUTH":
                    if (words.length < 3) {
                        write("+ \r\n");
                        if (readLine() == null) {
                            return false;
                        }
                    }
                    write("+OK authenticated\r\n");
                    return true;
                case "STAT":
                    write("+OK " + messages.size() + " " + messages.values().stream().mapToInt(m -> m.length).sum() + "\r\n");
                    return true;
                case "LIST":
                case "UIDL":
                    listing(command, words);
                    return true;
                case "RETR":
                    retr(words, -1);
                    return true;
                case "TOP":
                    retr(words, words.length > 2 ? Integer.parseInt(words[2]) : 0);
                    return true;
                case "DELE":
                    write("+OK message deleted\r\n");
                    return true;
                case "QUIT":
                    write("+OK bye\r\n");
                    return false;
                default:
                    write("-ERR unknown command\r\n");
                    return true;
            }
        }

        private boolean stls() throws IOException {
            if (stlsRefused || tls) {
                write("-ERR STLS not available\r\n");
                return true;
            }
            write("+OK begin TLS\r\n" + stlsInjection);
            SSLSocket ssl = upgradeToTls(socket);
            socket = ssl;
            in = new BufferedInputStream(ssl.getInputStream());
            out = ssl.getOutputStream();
            tls = true;
            return true;
        }

        private void listing(String command, String[] words) throws IOException {
            if (words.length > 1) {
                int number = Integer.parseInt(words[1]);
                byte[] message = messages.get(number);
                write(message == null ? "-ERR no such message\r\n"
                    : "+OK " + number + " " + (command.equals("LIST") ? message.length : "uid-" + number) + "\r\n");
                return;
            }
            StringBuilder answer = new StringBuilder("+OK listing follows\r\n");
            messages.forEach((number, message) -> answer.append(number).append(' ')
                .append(command.equals("LIST") ? String.valueOf(message.length) : "uid-" + number).append("\r\n"));
            write(answer.append(".\r\n").toString());
        }

        private void retr(String[] words, int topLines) throws IOException {
            byte[] message = words.length > 1 ? messages.get(Integer.parseInt(words[1])) : null;
            if (message == null) {
                write("-ERR no such message\r\n");
                return;
            }
            byte[] content = topLines < 0 ? message : top(message, topLines);
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            answer.writeBytes(("+OK " + message.length + " octets\r\n").getBytes(ISO_8859_1));
            answer.writeBytes(dotStuff(content));
            out.write(answer.toByteArray());
            out.flush();
        }

        private byte[] top(byte[] message, int lines) {
            int headerEnd = message.length;
            for (int i = 0; i + 3 < message.length; i++) {
                if (message[i] == '\r' && message[i + 1] == '\n' && message[i + 2] == '\r' && message[i + 3] == '\n') {
                    headerEnd = i + 4;
                    break;
                }
            }
            int position = headerEnd;
            for (int line = 0; line < lines && position < message.length; line++) {
                while (position < message.length && message[position] != '\n') {
                    position++;
                }
                position = Math.min(message.length, position + 1);
            }
            byte[] result = new byte[position];
            System.arraycopy(message, 0, result, 0, position);
            return result;
        }

        private String readLine() throws IOException {
            return readRecordedLine(in);
        }

        private void write(String text) throws IOException {
            out.write(text.getBytes(ISO_8859_1));
            out.flush();
        }
    }
}
