package org.jamesproxy.relay;

import java.util.Optional;

import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.upstream.UpstreamConnector;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

/**
 * Where a policy's upstream legs go, built once at boot: the policy's own upstream ({@link FixedRoute}), or wherever
 * a "Client" proxy action sends each connection ({@code client.ClientActionRoute}). The session only asks its
 * {@link Routing} to connect, and to say what the client leg may hear meanwhile; the route never knows the protocol.
 */
public interface UpstreamRoute {
    /** The policy's configured upstream: what the protocol's prelude is built with and the session's log names. */
    UpstreamConnector connector();

    /** This route's part of one connection; called once, as the session is made (it must not call back yet). */
    Routing begin(RoutedSession session);

    /** One connection's routing: its state lives here, not in the session. */
    interface Routing {
        /** Opens the upstream leg with the protocol's prelude (maybe later, once the destination is known). */
        void connect(UpstreamPrelude prelude);

        /** Where the upstream leg goes now, for the log. */
        String describeUpstream();

        /**
         * The client leg's TLS for a STARTTLS the session accepted: the Proxy Server certificate, or one minted for the
         * destination after the upstream's. Empty when none can be presented (the route logged why).
         *
         * @param configured the policy's Proxy Server certificate; may be null when {@link #presentsMintedCertificates()}
         */
        Optional<SslHandler> clientTlsHandler(ServerTlsContext configured, Channel upstream);

        /** The upstream leg is unusable; called before the session's last line and close. */
        default void upstreamUnusable(String reason) {
        }

        /** True when the client leg presents certificates minted by the Proxy Authority. */
        default boolean presentsMintedCertificates() {
            return false;
        }

        /** True when the route already greeted the client (before its STARTTLS): the session must not greet again. */
        default boolean greetedBeforeTls() {
            return false;
        }

        /** True while the session must not write to the client: its TLS is not ours yet, or its bytes are not ours. */
        default boolean clientLegSilent() {
            return false;
        }

        /**
         * True when the upstream leg may wait for the client's first command on a plain port, the proxy greeting
         * meanwhile: false for a route that speaks a plain phase of its own (sni routing).
         */
        default boolean mayWaitForFirstCommand() {
            return false;
        }

        /** True once the route relays the client's bytes raw (spliced): the protocol's deadlines no longer apply. */
        default boolean relaysRawBytes() {
            return false;
        }

        /** A user event on the client pipeline; true when the route consumed it. */
        default boolean onClientEvent(Object event) {
            return false;
        }
    }
}
