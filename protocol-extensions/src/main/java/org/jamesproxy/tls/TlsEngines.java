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

    static void applyProfile(SSLEngine engine, TlsProfile profile) {
        Set<String> supported = ImmutableSet.copyOf(engine.getSupportedProtocols());
        engine.setEnabledProtocols(Arrays.stream(profile.enabledProtocols())
            .filter(supported::contains)
            .toArray(String[]::new));
        if (!profile.getCiphers().isEmpty()) {
            engine.setEnabledCipherSuites(profile.getCiphers().toArray(String[]::new));
        }
    }

    /** "TLSv1.3 TLS_AES_256_GCM_SHA384", or "plain" when the leg has no TLS (yet). */
    public static String describe(Channel channel) {
        SslHandler handler = channel.pipeline().get(SslHandler.class);
        if (handler == null || !handler.handshakeFuture().isSuccess()) {
            return "plain";
        }
        SSLSession session = handler.engine().getSession();
        return session.getProtocol() + " " + session.getCipherSuite();
    }

    public static boolean isTlsActive(Channel channel) {
        return channel.pipeline().get(SslHandler.class) != null;
    }
}
