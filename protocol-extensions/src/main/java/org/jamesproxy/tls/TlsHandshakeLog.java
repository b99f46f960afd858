package org.jamesproxy.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.jamesproxy.tls.verify.CertificateVerdict;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

/**
 * What a finished handshake negotiated, in one line for the session's INFO log (the relays print it through their
 * SessionLog, so the MDC keys are James's):
 * <ul>
 *     <li>client leg: {@code TLSv1.3 TLS_AES_256_GCM_SHA384, SNI imap.example.com, presented CN=imap.example.com (issuer CN=Proxy Authority, until 2026-12-03T10:00:00Z)}</li>
 *     <li>upstream leg: {@code TLSv1.3 TLS_AES_128_GCM_SHA256, certificate CN=imap.example.com (issuer CN=R11, until 2027-01-01T00:00:00Z), verdict trusted}</li>
 * </ul>
 * {@link TlsEngines#describe(Channel)} uses it, so the relays' existing "ready" and "upgraded" lines carry it.
 */
public final class TlsHandshakeLog {
    private TlsHandshakeLog() {
    }

    /** The client leg (the proxy is the TLS server), or "plain". */
    public static String clientLeg(Channel channel) {
        return session(channel).map(TlsHandshakeLog::clientLeg).orElse("plain");
    }

    /** The upstream leg (the proxy is the TLS client), or "plain". */
    public static String upstreamLeg(Channel channel) {
        return session(channel).map(TlsHandshakeLog::upstreamLeg).orElse("plain");
    }

    static String clientLeg(SSLSession session) {
        StringBuilder line = new StringBuilder(session.getProtocol()).append(' ').append(session.getCipherSuite());
        requestedServerName(session).ifPresent(name -> line.append(", SNI ").append(name));
        Certificate[] local = session.getLocalCertificates();
        if (local != null && local.length > 0 && local[0] instanceof X509Certificate) {
            line.append(", presented ").append(describe((X509Certificate) local[0]));
        }
        return line.toString();
    }

    static String upstreamLeg(SSLSession session) {
        StringBuilder line = new StringBuilder(session.getProtocol()).append(' ').append(session.getCipherSuite());
        try {
            Certificate[] peer = session.getPeerCertificates();
            if (peer.length > 0 && peer[0] instanceof X509Certificate) {
                line.append(", certificate ").append(describe((X509Certificate) peer[0]));
            }
        } catch (SSLPeerUnverifiedException e) {
            line.append(", no certificate");
        }
        Object verdict = session.getValue(CertificateVerdict.SESSION_KEY);
        line.append(", verdict ").append(verdict instanceof CertificateVerdict
            ? ((CertificateVerdict) verdict).describe()
            : "not re-checked (resumed session)");
        return line.toString();
    }

    /** {@code CN=x (issuer CN=y, until 2027-01-01T00:00:00Z)}. */
    public static String describe(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName() + " (issuer " + certificate.getIssuerX500Principal().getName()
            + ", until " + certificate.getNotAfter().toInstant() + ")";
    }

    private static Optional<String> requestedServerName(SSLSession session) {
        if (!(session instanceof ExtendedSSLSession)) {
            return Optional.empty();
        }
        try {
            List<String> names = ((ExtendedSSLSession) session).getRequestedServerNames().stream()
                .filter(SNIHostName.class::isInstance)
                .map(name -> ((SNIHostName) name).getAsciiName())
                .collect(Collectors.toList());
            return names.isEmpty() ? Optional.empty() : Optional.of(String.join(",", names));
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static Optional<SSLSession> session(Channel channel) {
        SslHandler handler = channel.pipeline().get(SslHandler.class);
        if (handler == null || !handler.handshakeFuture().isSuccess()) {
            return Optional.empty();
        }
        return Optional.of(handler.engine().getSession());
    }
}
