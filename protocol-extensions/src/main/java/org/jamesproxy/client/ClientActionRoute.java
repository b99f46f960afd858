package org.jamesproxy.client;

import java.util.Optional;

import org.jamesproxy.config.TlsAction;
import org.jamesproxy.relay.Failures;
import org.jamesproxy.relay.FixedRoute;
import org.jamesproxy.relay.RoutedSession;
import org.jamesproxy.relay.UpstreamPrelude;
import org.jamesproxy.relay.UpstreamRoute;
import org.jamesproxy.tls.ClientHello;
import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.tls.SniPeeker;
import org.jamesproxy.tls.TlsEngines;
import org.jamesproxy.upstream.UpstreamConnector;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;

/**
 * The route of a "Client" proxy action: the destination is decided per connection (on the implicit-TLS port once the
 * client's ClientHello names it; on an sni-routed STARTTLS port after the plain phase the proxy speaks itself), then
 * its TLS action applies: {@code inspect} opens a verified leg there and completes the client's handshake with a
 * certificate minted after the upstream's; {@code allow} splices both legs raw; {@code drop} and refusals close.
 */
public final class ClientActionRoute implements UpstreamRoute {
    private final UpstreamConnector connector;
    private final ClientAction action;

    /** @param connector the policy's configured upstream (the fixed destination, and what sessions log) */
    public ClientActionRoute(UpstreamConnector connector, ClientAction action) {
        this.connector = connector;
        this.action = action;
    }

    @Override
    public UpstreamConnector connector() {
        return connector;
    }

    @Override
    public Routing begin(RoutedSession session) {
        return new Connection(session);
    }

    @Override
    public String toString() {
        return connector.describe() + " " + action;
    }

    private final class Connection implements Routing {
        private final RoutedSession session;
        /** The policy's connector, then the one toward the destination. */
        private UpstreamConnector current = connector;
        /** Where this connection goes, once known. */
        private Destination destination;
        /** On the implicit-TLS listener, or after an sni-routed STARTTLS: the prelude waits for the ClientHello. */
        private UpstreamPrelude preludeAwaitingClientHello;
        private ClientHello pendingClientHello;
        /** The client's TLS is not established yet, so not a byte may be written to it in clear. */
        private boolean clientLegPending;
        /** The {@code allow} TLS action: both legs are spliced raw, the protocol is not spoken. */
        private boolean spliced;
        /** Sni routing on the STARTTLS port: the client was greeted before its STARTTLS, by the proxy. */
        private boolean greetedBeforeTls;
        /** The plain phase the proxy spoke on an sni-routed STARTTLS port (it also knows the upstream's side of it). */
        private PlainPhase plainPhase;

        Connection(RoutedSession session) {
            this.session = session;
        }

        @Override
        public void connect(UpstreamPrelude prelude) {
            Channel client = session.client();
            if (client.pipeline().get(SniPeeker.class) != null) {
                clientLegPending = true;
                preludeAwaitingClientHello = prelude;
                return;
            }
            if (action.routesBySni()) {
                // The destination is named only in the ClientHello that follows STARTTLS: the proxy speaks the plain
                // phase itself, then peeks, connects and STARTTLSes upstream, and completes the client's handshake.
                clientLegPending = true;
                greetedBeforeTls = true;
                preludeAwaitingClientHello = prelude;
                plainPhase = new PlainPhase(session.plainDialogue());
                client.pipeline().addBefore(session.clientHandlerName(), PlainPhase.NAME, plainPhase);
                return;
            }
            dispatch(action.decide(Optional.empty()), prelude);
        }

        @Override
        public boolean onClientEvent(Object event) {
            if (!(event instanceof ClientHello)) {
                return false;
            }
            ClientHello hello = (ClientHello) event;
            UpstreamPrelude prelude = preludeAwaitingClientHello;
            preludeAwaitingClientHello = null;
            if (prelude == null || session.isClosed()) {
                hello.refuse("unexpected ClientHello");
                return true;
            }
            pendingClientHello = hello;
            dispatch(action.decide(hello.requestedName()), prelude);
            return true;
        }

        private void dispatch(Destination target, UpstreamPrelude prelude) {
            destination = target;
            if (target.refusal().isPresent() || target.action() == TlsAction.DROP) {
                prelude.abandon();
                refuse(target.hostName(), target.refusal().orElse("the TLS action for this destination is drop"));
                return;
            }
            try {
                if (target.action() == TlsAction.ALLOW) {
                    prelude.abandon();
                    passThrough(action.passThroughConnectorFor(target, pendingClientHello != null && plainPhase == null));
                    return;
                }
                UpstreamConnector leg = action.connectorFor(target);
                current = leg;
                prelude.routeTo(leg);
                if (pendingClientHello != null) {
                    prelude.gate(this::completeClientHandshake);
                }
                session.log().info("client {} routed to {} (inspect)", session.remoteAddress(), leg.describe());
                FixedRoute.open(leg, session.client(), prelude);
            } catch (Exception e) {
                prelude.abandon();
                refuse(target.hostName(), "cannot route to it: " + Failures.describe(e));
            }
        }

        /** A destination the client may not reach: a protocol error (or a TLS alert on the implicit port) and a log line. */
        private void refuse(String requestedName, String reason) {
            session.log().warn("refused client {} asking for '{}': {}", session.remoteAddress(), requestedName, reason);
            if (pendingClientHello != null) {
                // The peeker answers with a fatal alert and closes; the session's client handler does the accounting.
                pendingClientHello.refuse(reason);
                return;
            }
            session.closeWithFarewell("Destination refused by policy");
        }

        /**
         * The {@code allow} action: raw bytes both ways, the client's TLS (or STARTTLS) goes to the upstream untouched.
         * After an sni-routed STARTTLS the client already said STARTTLS to the proxy: the upstream is first brought to
         * its own STARTTLS go-ahead, then the held ClientHello and the rest are spliced.
         */
        private void passThrough(UpstreamConnector raw) {
            current = raw;
            ChannelInboundHandlerAdapter placeholder = new ChannelInboundHandlerAdapter();
            raw.connect(session.client(), placeholder).addListener((ChannelFutureListener) connected -> {
                if (!connected.isSuccess()) {
                    connected.channel().close();
                    refuse(destination.hostName(), "cannot connect to " + raw.describe() + ": " + Failures.describe(connected.cause()));
                    return;
                }
                Channel channel = connected.channel();
                if (session.isClosed()) {
                    channel.close();
                    return;
                }
                if (plainPhase == null) {
                    channel.pipeline().remove(placeholder);
                    splice(raw, channel);
                    return;
                }
                long timeoutMillis = Math.max(5_000, 3 * raw.getConfig().getConnectTimeout().toMillis());
                channel.pipeline().replace(placeholder, "upstreamUpgrade", plainPhase.upstreamUpgrade(
                    () -> splice(raw, channel),
                    reason -> refuse(destination.hostName(), raw.describe() + " did not agree to STARTTLS: " + reason),
                    timeoutMillis));
            });
        }

        private void splice(UpstreamConnector raw, Channel channel) {
            if (session.isClosed()) {
                channel.close();
                return;
            }
            session.adoptUpstream(channel);
            spliced = true;
            clientLegPending = false;
            session.log().info("client {} passed through to {} (allow: not decrypted)", session.remoteAddress(), raw.describe());
            Splice.between(session.client(), session.clientHandlerName(), channel);
            if (pendingClientHello != null) {
                pendingClientHello.passThrough();
                pendingClientHello = null;
            }
        }

        /** The upstream is verified: mint for the destination after its real certificate, then let the client finish TLS. */
        private void completeClientHandshake(Channel upstreamChannel, Runnable ready) {
            ClientHello hello = pendingClientHello;
            pendingClientHello = null;
            if (session.isClosed()) {
                ready.run();
                return;
            }
            SslHandler handler;
            try {
                handler = action.clientHandler(destination, upstreamChannel);
            } catch (RuntimeException e) {
                session.log().warn("cannot present a certificate for '{}' to client {}: {}", destination.hostName(),
                    session.remoteAddress(), Failures.describe(e));
                hello.refuse("no certificate");
                session.close();
                ready.run();
                return;
            }
            hello.inspectWith(handler);
            handler.handshakeFuture().addListener(handshake -> {
                if (!handshake.isSuccess()) {
                    session.log().warn("client TLS handshake for '{}' failed: {}", destination.hostName(),
                        Failures.describeClientLeg(handshake.cause()));
                    session.close();
                } else {
                    clientLegPending = false;
                    session.log().info("client leg for '{}' with a Proxy Authority certificate: {}; upstream certificate {}",
                        destination.hostName(), TlsEngines.describe(session.client()),
                        ClientAction.describeLeaf(upstreamChannel));
                }
                // A closed session closes the upstream channel it is handed.
                ready.run();
            });
        }

        @Override
        public Optional<SslHandler> clientTlsHandler(ServerTlsContext configured, Channel upstream) {
            try {
                return Optional.of(action.clientHandler(destination, upstream));
            } catch (RuntimeException e) {
                session.log().warn("cannot present a certificate for '{}': {}", destination.hostName(), Failures.describe(e));
                return Optional.empty();
            }
        }

        @Override
        public void upstreamUnusable(String reason) {
            if (pendingClientHello != null) {
                // No protocol channel yet on the implicit-TLS port: a TLS alert says it.
                pendingClientHello.refuse(reason);
            }
        }

        @Override
        public String describeUpstream() {
            return current.describe();
        }

        @Override
        public boolean presentsMintedCertificates() {
            return true;
        }

        @Override
        public boolean greetedBeforeTls() {
            return greetedBeforeTls;
        }

        @Override
        public boolean clientLegSilent() {
            return clientLegPending || spliced;
        }

        @Override
        public boolean relaysRawBytes() {
            return spliced;
        }
    }
}
