package org.jamesproxy.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A raw IMAP client for relay tests: writes exactly the bytes it is given (one write per call, so pipelining is
 * under the test's control), reads lines and literals, and can switch to TLS in place (STARTTLS).
 */
public final class ImapTestClient implements TestClient {
    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)}$");
    private static final int READ_TIMEOUT_MILLIS = 15_000;

    public static ImapTestClient connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return new ImapTestClient(socket);
    }

    public static ImapTestClient connectTls(int port, SSLContext context) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.startHandshake();
        return new ImapTestClient(socket);
    }

    /** Implicit TLS asking for {@code serverName} (SNI), as a client of an outbound (client-action) proxy does. */
    public static ImapTestClient connectTls(int port, SSLContext context, String serverName) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        withServerName(socket, serverName);
        socket.startHandshake();
        return new ImapTestClient(socket);
    }

    private static void withServerName(SSLSocket socket, String serverName) {
        javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(serverName)));
        socket.setSSLParameters(parameters);
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private ImapTestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Writes the bytes as they are, in one write. */
    @Override
    public ImapTestClient send(String raw) throws IOException {
        return send(raw.getBytes(ISO_8859_1));
    }

    public ImapTestClient send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    @Override
    public ImapTestClient sendLine(String line) throws IOException {
        return send(line + "\r\n");
    }

    /** @return the next line without CRLF, or null at end of stream */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(ISO_8859_1);
    }

    public byte[] readBytes(int size) throws IOException {
        return in.readNBytes(size);
    }

    /**
     * Reads responses up to and including the tagged one of {@code tag}; each element is one response line, with any
     * literal it announces inlined (so a FETCH response is one element, bytes included).
     */
    public List<String> readUntilTagged(String tag) throws IOException {
        List<String> responses = new ArrayList<>();
        while (true) {
            String response = readResponse();
            if (response == null) {
                throw new IOException("connection closed before the tagged response of " + tag + "; got " + responses);
            }
            responses.add(response);
            if (response.startsWith(tag + " ")) {
                return responses;
            }
        }
    }

    /** One response: a line plus the literals it announces, inlined; null at end of stream. */
    public String readResponse() throws IOException {
        String line = readLine();
        if (line == null) {
            return null;
        }
        StringBuilder response = new StringBuilder(line);
        Matcher literal = LITERAL.matcher(line);
        while (literal.find()) {
            int size = Integer.parseInt(literal.group(1));
            response.append("\r\n").append(new String(readBytes(size), ISO_8859_1));
            String rest = readLine();
            if (rest == null) {
                return response.toString();
            }
            response.append(rest);
            literal = LITERAL.matcher(rest);
        }
        return response.toString();
    }

    /** Upgrades the connection after the server's go-ahead. */
    @Override
    public void startTls(SSLContext context) throws IOException {
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        ssl.setUseClientMode(true);
        ssl.setSoTimeout(READ_TIMEOUT_MILLIS);
        ssl.startHandshake();
        socket = ssl;
        in = new BufferedInputStream(ssl.getInputStream());
        out = ssl.getOutputStream();
    }

    /** Upgrades the connection after the server's go-ahead, asking for {@code serverName} (SNI). */
    public void startTls(SSLContext context, String serverName) throws IOException {
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, serverName, socket.getPort(), true);
        ssl.setUseClientMode(true);
        ssl.setSoTimeout(READ_TIMEOUT_MILLIS);
        withServerName(ssl, serverName);
        ssl.startHandshake();
        socket = ssl;
        in = new BufferedInputStream(ssl.getInputStream());
        out = ssl.getOutputStream();
    }

    @Override
    public boolean isTls() {
        return socket instanceof SSLSocket;
    }

    /** Whether the peer closed the connection: end of stream or reset, with no further data. */
    @Override
    public boolean isClosedByPeer() {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Reads everything until the peer closes; returns what arrived. */
    @Override
    public String readUntilClosed() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                all.write(b);
            }
        } catch (IOException e) {
            // reset counts as closed
        }
        return all.toString(ISO_8859_1);
    }

    /** True if nothing arrives within {@code wait} (used to show that a response is being held back). */
    public boolean isSilentFor(Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        try {
            in.mark(1);
            int b = in.read();
            if (b >= 0) {
                in.reset();
            }
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        }
    }

    @Override
    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
