package org.jamesproxy.policy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

import org.slf4j.LoggerFactory;

/**
 * Where a {@code block} verdict reports the client that sent the message, after the relay has closed its
 * connection. The auto-block list (refusing further connections from the address for a while) arrives with the
 * policy work and will be another implementation of this hook; until then {@link LoggingClientBlocker} (bound by
 * the plugin's Guice module) logs and counts, and {@code block} behaves like {@code drop} on the wire.
 * <p>
 * Called on a relay's event loop: an implementation must not block on I/O.
 */
public interface ClientBlocker {
    /**
     * @param client the address the client connected from
     * @param reason why (one line, already sanitised by the inspection pipeline)
     */
    void block(InetAddress client, String reason);

    /**
     * {@link #block} for a channel's remote address; other kinds of address (local sockets) are ignored. A failing
     * implementation is logged and otherwise ignored: the relay closes the connection whatever happens here.
     * Behind a PROXY-protocol load balancer this is the balancer's address, as for James's own connection limits.
     */
    default void blockPeer(SocketAddress remote, String reason) {
        if (remote instanceof InetSocketAddress && ((InetSocketAddress) remote).getAddress() != null) {
            try {
                block(((InetSocketAddress) remote).getAddress(), reason);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(ClientBlocker.class).error("block hook {} failed for {}", getClass().getName(), remote, e);
            }
        }
    }
}
