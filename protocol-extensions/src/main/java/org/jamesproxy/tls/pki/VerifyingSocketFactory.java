package org.jamesproxy.tls.pki;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyStore;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * An {@link SSLSocketFactory} whose sockets verify the server's name the way HTTPS does (RFC 2818/6125:
 * {@code SSLParameters.setEndpointIdentificationAlgorithm("HTTPS")}), against the host name the socket was created for,
 * DNS names and IP addresses alike.
 *
 * <p>Why: clients such as javax.mail 1.6 ({@code mail.imaps.ssl.socketFactory}, also used for STARTTLS) either skip the
 * check or, with {@code mail.<protocol>.ssl.checkserveridentity=true}, run their own matcher, which on Java 17 does not
 * match IP-address SubjectAltNames. Handing them this factory gives the JDK's own check instead.</p>
 */
public final class VerifyingSocketFactory extends SSLSocketFactory {
    /** Trusts exactly the store's certificates and verifies host names. */
    public static VerifyingSocketFactory trusting(KeyStore trustStore) {
        return new VerifyingSocketFactory(TrustStores.clientContext(trustStore).getSocketFactory());
    }

    private final SSLSocketFactory delegate;

    public VerifyingSocketFactory(SSLSocketFactory delegate) {
        this.delegate = delegate;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    /**
     * Unconnected socket: the JDK then has no host name to verify until {@code connect}; it uses the host of the
     * {@code InetSocketAddress} passed to connect (javax.mail's path for implicit TLS).
     */
    @Override
    public Socket createSocket() throws IOException {
        return verifying(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return verifying(delegate.createSocket(socket, host, port, autoClose));
    }

    @Override
    public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
        return verifying(delegate.createSocket(socket, consumed, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return verifying(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return verifying(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return verifying(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return verifying(delegate.createSocket(address, port, localAddress, localPort));
    }

    private static Socket verifying(Socket socket) {
        SSLSocket sslSocket = (SSLSocket) socket;
        SSLParameters parameters = sslSocket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        sslSocket.setSSLParameters(parameters);
        return sslSocket;
    }
}
