package org.jamesproxy.tls;

import java.util.Arrays;
import java.util.Set;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

import org.jamesproxy.config.TlsProfile;

import com.google.common.collect.ImmutableSet;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

/** Applying a {@link TlsProfile} to an engine, and describing what was negotiated, for both legs. */
public final class TlsEngines {
    private TlsEngines() {
    }

    /** Protocols and cipher suites of the profile, forward secrecy included; works on JDK and OpenSSL engines. */
    public static void applyProfile(SSLEngine engine, TlsProfile profile) {
        Set<String> supported = ImmutableSet.copyOf(engine.getSupportedProtocols());
        engine.setEnabledProtocols(Arrays.stream(profile.enabledProtocols())
            .filter(supported::contains)
            .toArray(String[]::new));
        String[] suites = profile.getCiphers().isEmpty()
            ? engine.getEnabledCipherSuites()
            : profile.getCiphers().toArray(String[]::new);
        if (profile.getPfs() == TlsProfile.Pfs.REQUIRED) {
            suites = Arrays.stream(suites).filter(TlsEngines::isForwardSecret).toArray(String[]::new);
        } else if (profile.getPfs() == TlsProfile.Pfs.NONE) {
            suites = Arrays.stream(profile.getCiphers().isEmpty() ? engine.getSupportedCipherSuites() : suites)
                .filter(suite -> suite.startsWith("TLS_RSA_WITH_") && !suite.contains("_NULL_") && !suite.contains("_RC4_")
                    && !suite.contains("_DES_") && !suite.contains("_3DES_"))
                .toArray(String[]::new);
        }
        if (!profile.getCiphers().isEmpty() || profile.getPfs() != TlsProfile.Pfs.ALLOWED) {
            engine.setEnabledCipherSuites(suites);
        }
    }

    /**
     * TLS 1.3 suites (the key exchange is always ephemeral) and TLS 1.2-and-below suites with ECDHE or DHE key
     * exchange. The renegotiation signalling pseudo-suite is kept.
     */
    public static boolean isForwardSecret(String suite) {
        return suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")
            || suite.contains("_ECDHE_") || suite.contains("_DHE_") || suite.equals("TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    }

    /**
     * What the leg negotiated, for the session's log: protocol and cipher, and the certificates
     * ({@link TlsHandshakeLog}); or "plain" when the leg has no TLS (yet).
     */
    public static String describe(Channel channel) {
        SslHandler handler = channel.pipeline().get(SslHandler.class);
        if (handler == null || !handler.handshakeFuture().isSuccess()) {
            return "plain";
        }
        SSLSession session = handler.engine().getSession();
        return handler.engine().getUseClientMode() ? TlsHandshakeLog.upstreamLeg(session) : TlsHandshakeLog.clientLeg(session);
    }

    public static boolean isTlsActive(Channel channel) {
        return channel.pipeline().get(SslHandler.class) != null;
    }
}
