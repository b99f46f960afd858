package org.jamesproxy.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.jamesproxy.tls.pki.TrustStores;

/** A JDK TLS client for tests: verifies chain and host name, sends SNI, returns what the server presented. */
public final class TlsClients {
    public static final class Result {
        public final String protocol;
        public final String cipherSuite;
        public final X509Certificate[] peerChain;
        public final String greeting;

        Result(String protocol, String cipherSuite, X509Certificate[] peerChain, String greeting) {
            this.protocol = protocol;
            this.cipherSuite = cipherSuite;
            this.peerChain = peerChain;
            this.greeting = greeting;
        }
    }

    private TlsClients() {
    }

    public static Result connect(int port, String hostName, KeyStore trustStore, String protocol) throws IOException {
        return connect(port, hostName, trustStore, new String[]{protocol}, null);
    }

    public static Result connect(int port, String hostName, KeyStore trustStore, String[] protocols, String[] cipherSuites) throws IOException {
        SSLContext context = TrustStores.clientContext(trustStore);
        // Layered over a plain socket so that the peer host (checked by endpoint identification) is the name asked for.
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, hostName, port, true)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setServerNames(List.of(new SNIHostName(hostName)));
            parameters.setProtocols(protocols);
            if (cipherSuites != null) {
                parameters.setCipherSuites(cipherSuites);
            }
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            String greeting = new String(socket.getInputStream().readNBytes(3), StandardCharsets.US_ASCII);
            return new Result(socket.getSession().getProtocol(), socket.getSession().getCipherSuite(),
                (X509Certificate[]) socket.getSession().getPeerCertificates(), greeting);
        }
    }
}
