package org.jamesproxy.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;

/**
 * The STARTTLS switch-over, for either leg of any protocol. The one rule that defeats command injection
 * (CVE-2011-0411 and its kin): bytes that arrived in clear before the handshake are never carried into the TLS
 * session. A relay hands over whatever it has buffered but not consumed; if that is not empty, the upgrade is
 * refused and the relay must close the connection.
 */
public final class TlsBoundary {
    public static final String SSL_HANDLER = "sslHandler";

    /** Thrown when plaintext was pipelined behind the STARTTLS exchange. */
    public static final class PlaintextInjectionException extends Exception {
        public PlaintextInjectionException(int bufferedBytes) {
            super(bufferedBytes + " byte(s) received in clear after STARTTLS, before the TLS handshake");
        }
    }

    private TlsBoundary() {
    }

    /**
     * Puts TLS at the bottom of the channel's pipeline. Must run on the channel's event loop, after the protocol's
     * go-ahead was written, and with AUTO_READ off so nothing more is read in clear meanwhile.
     *
     * @param unconsumed the relay's buffered, not yet processed input of this leg (may be null)
     * @return the handshake future
     */
    public static Future<Channel> upgrade(Channel channel, SslHandler sslHandler, ByteBuf unconsumed) throws PlaintextInjectionException {
        if (unconsumed != null && unconsumed.isReadable()) {
            throw new PlaintextInjectionException(unconsumed.readableBytes());
        }
        if (channel.pipeline().get(SslHandler.class) != null) {
            throw new IllegalStateException("TLS is already active on " + channel);
        }
        channel.pipeline().addFirst(SSL_HANDLER, sslHandler);
        // The handshake needs reads even though the relay keeps AUTO_READ off.
        channel.read();
        return sslHandler.handshakeFuture();
    }
}
