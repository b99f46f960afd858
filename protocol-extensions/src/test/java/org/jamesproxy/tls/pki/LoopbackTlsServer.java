package org.jamesproxy.tls.pki;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server on 127.0.0.1 (random port) that presents a key store's certificate, completes the handshake and writes
 * {@code OK\n} on each connection. Failed handshakes are the client's business and are ignored here.
 */
final class LoopbackTlsServer implements AutoCloseable {
    static final String GREETING = "OK\n";

    static LoopbackTlsServer start(Path keyStoreFile, char[] password) throws Exception {
        KeyStore keyStore = KeyStore.getInstance(keyStoreFile.toFile(), password);
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        SSLServerSocket serverSocket = (SSLServerSocket) context.getServerSocketFactory()
            .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        LoopbackTlsServer server = new LoopbackTlsServer(serverSocket);
        server.acceptor.start();
        return server;
    }

    private final SSLServerSocket serverSocket;
    private final Thread acceptor;

    private LoopbackTlsServer(SSLServerSocket serverSocket) {
        this.serverSocket = serverSocket;
        this.acceptor = new Thread(this::acceptLoop, "loopback-tls-server");
        this.acceptor.setDaemon(true);
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try (Socket socket = serverSocket.accept()) {
                socket.setSoTimeout(10_000);
                ((SSLSocket) socket).startHandshake();
                OutputStream out = socket.getOutputStream();
                out.write(GREETING.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // closed server socket, or a handshake the client rejected: nothing to do
            }
        }
    }

    @Override
    public void close() throws Exception {
        serverSocket.close();
        acceptor.join(10_000);
    }
}
