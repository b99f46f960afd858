package org.jamesproxy.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * What the scripted line-protocol fakes (IMAP, POP3) share: plain java sockets on 127.0.0.1 (random port), one
 * thread per connection, TLS from the first byte or upgraded in the middle of a connection, every line received
 * recorded, open and accepted connections counted, and unexpected failures of the fake itself kept.
 * <p>
 * A subclass calls {@link #startAccepting()} at the end of its constructor, once its own state is set up.
 */
public abstract class FakeLineServer implements FakeUpstream {
    /** A server socket whose connections are plain TCP at first. */
    protected static ServerSocket plainServerSocket() throws IOException {
        return new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    }

    /** A server socket that does TLS from the first byte with {@code context}'s certificate. */
    protected static ServerSocket implicitTlsServerSocket(SSLContext context) throws IOException {
        return context.getServerSocketFactory().createServerSocket(0, 200, InetAddress.getLoopbackAddress());
    }

    private final ServerSocket serverSocket;
    private final String name;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger acceptedConnections = new AtomicInteger();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    protected final boolean implicitTls;
    /** The certificate presented after a STARTTLS-like upgrade. */
    protected volatile SSLContext tlsContext;

    /** @param name e.g. "imap", in thread names */
    protected FakeLineServer(ServerSocket serverSocket, boolean implicitTls, String name) {
        this.serverSocket = serverSocket;
        this.implicitTls = implicitTls;
        this.name = name;
        this.acceptor = new Thread(this::acceptLoop, "fake-" + name + "-acceptor-" + serverSocket.getLocalPort());
        this.acceptor.setDaemon(true);
    }

    protected final void startAccepting() {
        acceptor.start();
    }

    /** Talks to one accepted connection (TLS handshake already done if implicit) until it should end. */
    protected abstract void converse(Socket socket) throws IOException, InterruptedException;

    // ---------------------------------------------------------------------------------------------------------
    // Observations

    @Override
    public int port() {
        return serverSocket.getLocalPort();
    }

    /** Every line received, without its CRLF. */
    @Override
    public List<String> receivedLines() {
        return List.copyOf(received);
    }

    @Override
    public int openConnections() {
        return openConnections.get();
    }

    @Override
    public int acceptedConnections() {
        return acceptedConnections.get();
    }

    /** Unexpected failures of the fake itself (not TLS or connection aborts a test provokes). */
    @Override
    public List<Throwable> errors() {
        return List.copyOf(errors);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Server

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                acceptedConnections.incrementAndGet();
                openConnections.incrementAndGet();
                sockets.add(socket);
                Thread thread = new Thread(() -> serve(socket), "fake-" + name + "-" + socket.getPort());
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void serve(Socket socket) {
        try {
            socket.setSoTimeout(60_000);
            if (implicitTls) {
                ((SSLSocket) socket).startHandshake();
            }
            converse(socket);
        } catch (SocketException | EOFException | SSLException e) {
            // the peer went away or TLS was refused: expected in many tests
        } catch (IOException | RuntimeException | InterruptedException e) {
            errors.add(e);
        } finally {
            try {
                socket.close();
            } catch (IOException e) {
                // ignore
            }
            sockets.remove(socket);
            openConnections.decrementAndGet();
        }
    }

    /** Server side of a TLS upgrade of an accepted connection, with {@link #tlsContext}'s certificate. */
    protected SSLSocket upgradeToTls(Socket socket) throws IOException {
        SSLSocket ssl = (SSLSocket) tlsContext.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
        ssl.setUseClientMode(false);
        ssl.startHandshake();
        return ssl;
    }

    /** A line without its CRLF (or LF), recorded; null at the end of the stream. */
    protected String readRecordedLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                String text = new String(bytes, 0, length, ISO_8859_1);
                received.add(text);
                return text;
            }
            line.write(b);
        }
        return null;
    }

    /** Called by {@link #close()} once the sockets are closed, before waiting for the acceptor. */
    protected void onClose() {
    }

    /** Stops accepting and drops every connection. */
    @Override
    public void close() throws IOException, InterruptedException {
        serverSocket.close();
        for (Socket socket : new ArrayList<>(sockets)) {
            socket.close();
        }
        onClose();
        acceptor.join(10_000);
    }
}
