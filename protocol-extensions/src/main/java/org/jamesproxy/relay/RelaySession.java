package org.jamesproxy.relay;

import java.net.InetSocketAddress;
import java.util.Optional;

import org.apache.james.metrics.api.Metric;
import org.jamesproxy.client.ClientAction;
import org.jamesproxy.client.ClientHello;
import org.jamesproxy.client.Destination;
import org.jamesproxy.client.PlainPhase;
import org.jamesproxy.client.SniPeeker;
import org.jamesproxy.client.Splice;
import org.jamesproxy.config.TlsAction;
import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.tls.TlsBoundary;
import org.jamesproxy.tls.TlsEngines;
import org.jamesproxy.upstream.UpstreamConnector;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * The two-leg skeleton every protocol relay shares: the client channel (accepted by a listener) and the upstream
 * channel (opened by the UpstreamConnector on the same event loop, so no locking), reads that follow writes (both
 * legs have AUTO_READ off: a leg is read only when the other can take the bytes, which keeps memory flat), and one
 * way to close. A protocol supplies what is its own: how it parses each leg, when a leg must pause, and how it says
 * goodbye.
 */
public abstract class RelaySession {
    protected enum Phase {
        /** Waiting for the upstream leg to be usable (greeting, TLS, capabilities). */
        CONNECTING,
        RELAYING,
        CLOSED
    }

    protected final Channel client;
    protected final String remoteAddress;
    protected final String sessionId;
    private final Metric activeConnections;
    private final ClientHandler clientHandler = new ClientHandler();
    protected Channel upstream;
    protected Phase phase = Phase.CONNECTING;
    private boolean clientHandshaking;
    /** The policy's connector, then (client action) the one toward the destination. */
    private UpstreamConnector connector;
    /** Client action: where this connection goes, once known. */
    private Destination destination;
    /** Client action on the implicit-TLS listener: the prelude waits for the ClientHello to know where to go. */
    private UpstreamPrelude preludeAwaitingClientHello;
    private ClientHello pendingClientHello;
    /** Client action: the client's TLS is not established yet, so not a byte may be written to it in clear. */
    private boolean clientLegPending;
    /** The {@code allow} TLS action: both legs are spliced raw, the protocol is not spoken. */
    private boolean spliced;
    /** Client action, sni routing on the STARTTLS port: the client was greeted before its STARTTLS, by the proxy. */
    private boolean greetedBeforeTls;
    /** The plain phase the proxy spoke on an sni-routed STARTTLS port (it also knows the upstream's side of it). */
    private PlainPhase plainPhase;

    protected RelaySession(Channel client, Metric activeConnections) {
        this.client = client;
        this.activeConnections = activeConnections;
        this.sessionId = client.id().asShortText();
        this.remoteAddress = client.remoteAddress() instanceof InetSocketAddress
            ? ((InetSocketAddress) client.remoteAddress()).getAddress().getHostAddress()
            : String.valueOf(client.remoteAddress());
    }

    /** The handler to put last in the client channel's pipeline. */
    public final ChannelInboundHandlerAdapter clientHandler() {
        return clientHandler;
    }

    // ----------------------------------------------------------------------------------------------------------
    // What each protocol supplies

    protected abstract SessionLog log();

    /** The client connected: open the upstream leg. */
    protected abstract void onClientConnected();

    /** Takes ownership of the bytes; called only while not CLOSED. */
    protected abstract void onClientBytes(ByteBuf bytes);

    /** Takes ownership of the bytes; called only while not CLOSED. */
    protected abstract void onUpstreamBytes(ByteBuf bytes);

    /** True while the relay must not take more client bytes (e.g. STARTTLS in progress, waiting for a go-ahead). */
    protected abstract boolean clientPaused();

    /** True while the relay must not take more upstream bytes (e.g. a message is being inspected). */
    protected abstract boolean upstreamPaused();

    /** The protocol's last words before the proxy closes, e.g. {@code * BYE ...}, {@code -ERR ...}, {@code 421 ...}. */
    protected abstract String farewell(String reason);

    /**
     * What the protocol says in the plain phase of an sni-routed STARTTLS port, spoken by the proxy before any
     * upstream exists (greeting, capabilities, STARTTLS), e.g. {@code new ImapPlainDialogue(helloName)}.
     */
    protected abstract PlainDialogue plainDialogue();

    /** The client was silent for the listener's idle timeout. */
    protected void onIdleTimeout() {
        closeWithFarewell("idle for too long");
    }

    /** The upstream closed its leg (or failed); the default treats it as a loss of service. */
    protected void onUpstreamClosed() {
        log().warn("the mail server closed the connection");
        closeWithFarewell("connection to the mail server lost");
    }

    /** Protocol buffers to free when the session ends (called once). */
    protected abstract void releaseProtocolResources();

    // ----------------------------------------------------------------------------------------------------------
    // Shared mechanics

    /** Counts and logs an accepted client connection. */
    protected final void connectionAccepted(Metric connections, boolean implicitTls) {
        connections.increment();
        log().info("connection accepted on the {} port", implicitTls ? "implicit TLS" : "plain");
    }

    /** The upstream leg could not be made usable: counted, logged, and the client told in its protocol's words. */
    protected final void upstreamUnusable(UpstreamConnector connector, String reason, Metric failures, String lastLine) {
        if (phase == Phase.CLOSED) {
            return;
        }
        failures.increment();
        log().warn("upstream {} unusable: {}", describeUpstream(connector), reason);
        if (pendingClientHello != null) {
            // No protocol channel yet on the implicit-TLS port: a TLS alert says it.
            pendingClientHello.refuse(reason);
        }
        writeClientLine(lastLine);
        closeAfterFlush();
    }

    private String describeUpstream(UpstreamConnector fallback) {
        return (this.connector != null ? this.connector : fallback).describe();
    }

    /**
     * Opens the upstream leg with the protocol's prelude; a refused or timed-out connection fails it like any prelude
     * failure. For a "Client" proxy action, the destination is decided first (on the implicit-TLS listener only
     * once the client's ClientHello names it), and the client's handshake completes once the upstream is verified.
     */
    protected final void connectUpstream(UpstreamConnector connector, UpstreamPrelude prelude) {
        this.connector = connector;
        Optional<ClientAction> action = connector.clientAction();
        if (action.isEmpty()) {
            open(connector, prelude);
            return;
        }
        if (client.pipeline().get(SniPeeker.class) != null) {
            clientLegPending = true;
            preludeAwaitingClientHello = prelude;
            return;
        }
        if (action.get().routesBySni()) {
            // The destination is named only in the ClientHello that follows STARTTLS: the proxy speaks the plain
            // phase itself, then peeks, connects and STARTTLSes upstream, and completes the client's handshake.
            clientLegPending = true;
            greetedBeforeTls = true;
            preludeAwaitingClientHello = prelude;
            plainPhase = new PlainPhase(plainDialogue());
            client.pipeline().addBefore(client.pipeline().context(clientHandler).name(), PlainPhase.NAME, plainPhase);
            return;
        }
        dispatch(action.get(), action.get().decide(Optional.empty()), prelude);
    }

    private void open(UpstreamConnector target, UpstreamPrelude prelude) {
        target.connect(client, prelude).addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess()) {
                prelude.connectFailed("cannot connect to " + target.describe() + ": " + Failures.describe(future.cause()));
            }
        });
    }

    private void onClientHello(ClientHello hello) {
        UpstreamPrelude prelude = preludeAwaitingClientHello;
        preludeAwaitingClientHello = null;
        if (prelude == null || phase == Phase.CLOSED) {
            hello.refuse("unexpected ClientHello");
            return;
        }
        pendingClientHello = hello;
        ClientAction action = connector.clientAction().orElseThrow();
        dispatch(action, action.decide(hello.requestedName()), prelude);
    }

    private void dispatch(ClientAction action, Destination target, UpstreamPrelude prelude) {
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
            connector = leg;
            prelude.routeTo(leg);
            if (pendingClientHello != null) {
                prelude.gate((upstreamChannel, ready) -> completeClientHandshake(action, upstreamChannel, ready));
            }
            log().info("client {} routed to {} (inspect)", remoteAddress, leg.describe());
            open(leg, prelude);
        } catch (Exception e) {
            prelude.abandon();
            refuse(target.hostName(), "cannot route to it: " + Failures.describe(e));
        }
    }

    /** A destination the client may not reach: a protocol error (or a TLS alert on the implicit port) and a log line. */
    private void refuse(String requestedName, String reason) {
        log().warn("refused client {} asking for '{}': {}", remoteAddress, requestedName, reason);
        if (pendingClientHello != null) {
            // The peeker answers with a fatal alert and closes; the client handler's end does the accounting.
            pendingClientHello.refuse(reason);
            return;
        }
        writeClientLine(farewell("Destination refused by policy"));
        closeAfterFlush();
    }

    /**
     * The {@code allow} action: raw bytes both ways, the client's TLS (or STARTTLS) goes to the upstream untouched.
     * After an sni-routed STARTTLS the client already said STARTTLS to the proxy: the upstream is first brought to
     * its own STARTTLS go-ahead, then the held ClientHello and the rest are spliced.
     */
    private void passThrough(UpstreamConnector raw) {
        connector = raw;
        ChannelInboundHandlerAdapter placeholder = new ChannelInboundHandlerAdapter();
        raw.connect(client, placeholder).addListener((ChannelFutureListener) connected -> {
            if (!connected.isSuccess()) {
                connected.channel().close();
                refuse(destination.hostName(), "cannot connect to " + raw.describe() + ": " + Failures.describe(connected.cause()));
                return;
            }
            Channel channel = connected.channel();
            if (phase == Phase.CLOSED) {
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
        if (phase == Phase.CLOSED) {
            channel.close();
            return;
        }
        upstream = channel;
        spliced = true;
        clientLegPending = false;
        log().info("client {} passed through to {} (allow: not decrypted)", remoteAddress, raw.describe());
        Splice.between(client, client.pipeline().context(clientHandler).name(), upstream);
        if (pendingClientHello != null) {
            pendingClientHello.passThrough();
            pendingClientHello = null;
        }
    }

    /** The upstream is verified: mint for the destination after its real certificate, then let the client finish TLS. */
    private void completeClientHandshake(ClientAction action, Channel upstreamChannel, Runnable ready) {
        ClientHello hello = pendingClientHello;
        pendingClientHello = null;
        if (phase == Phase.CLOSED) {
            ready.run();
            return;
        }
        SslHandler handler;
        try {
            handler = action.clientHandler(destination, upstreamChannel);
        } catch (RuntimeException e) {
            log().warn("cannot present a certificate for '{}' to client {}: {}", destination.hostName(), remoteAddress,
                Failures.describe(e));
            hello.refuse("no certificate");
            close();
            ready.run();
            return;
        }
        hello.inspectWith(handler);
        handler.handshakeFuture().addListener(handshake -> {
            if (!handshake.isSuccess()) {
                log().warn("client TLS handshake for '{}' failed: {}", destination.hostName(), Failures.describe(handshake.cause()));
                close();
            } else {
                clientLegPending = false;
                log().info("client leg for '{}' with a Proxy Authority certificate: {}; upstream certificate {}",
                    destination.hostName(), TlsEngines.describe(client),
                    ClientAction.describeLeaf(upstreamChannel));
            }
            // A closed session closes the upstream channel it is handed.
            ready.run();
        });
    }

    /** True when the client leg presents certificates minted by the Proxy Authority (a "Client" proxy action). */
    protected final boolean presentsMintedCertificates() {
        return connector != null && connector.clientAction().isPresent();
    }

    /** Makes a ready upstream channel the session's second leg. */
    protected final void attachUpstream(Channel channel) {
        upstream = channel;
        upstream.pipeline().addLast("relayUpstream", new UpstreamHandler());
        phase = Phase.RELAYING;
    }

    /**
     * The client asked for STARTTLS/STLS and the protocol allows it now. If anything was pipelined after the command
     * (CVE-2011-0411 and kin), it is refused and the connection closed: nothing received in clear survives into TLS.
     * Otherwise the go-ahead is written and flushed and TLS goes on the client leg; no client byte is read until the
     * handshake is done, then {@link #onClientTlsStarted()} runs. A client-action policy presents a certificate minted
     * for the destination instead of {@code tls} (which may then be null).
     *
     * @param unconsumed the relay's unprocessed client input
     * @param goAhead the protocol's go-ahead line, e.g. {@code a OK Begin TLS}, {@code +OK}, {@code 220 2.0.0 Ready}
     * @param refusal the protocol's last line when bytes were pipelined
     */
    protected final void startClientTls(ServerTlsContext tls, ByteBuf unconsumed, String command, String goAhead,
                                        String refusal, Metric upgraded, Metric injectionRefused) {
        if (unconsumed.isReadable()) {
            injectionRefused.increment();
            log().warn("refused {}: {} byte(s) pipelined after it in clear (command injection attempt?)", command,
                unconsumed.readableBytes());
            writeClientLine(refusal);
            closeAfterFlush();
            return;
        }
        SslHandler handler;
        if (presentsMintedCertificates()) {
            try {
                handler = connector.clientAction().get().clientHandler(destination, upstream);
            } catch (RuntimeException e) {
                log().warn("cannot present a certificate for '{}': {}", destination.hostName(), Failures.describe(e));
                closeWithFarewell("TLS is not available");
                return;
            }
        } else {
            handler = tls.newHandler(client.alloc());
        }
        writeClientLine(goAhead);
        client.flush();
        clientHandshaking = true;
        try {
            TlsBoundary.upgrade(client, handler, unconsumed)
                .addListener(handshake -> {
                    clientHandshaking = false;
                    if (!handshake.isSuccess()) {
                        log().warn("client TLS handshake after {} failed: {}", command, Failures.describe(handshake.cause()));
                        close();
                        return;
                    }
                    upgraded.increment();
                    log().info("client leg upgraded with {}: {}", command, TlsEngines.describe(client));
                    onClientTlsStarted();
                    readClientIfPossible();
                });
        } catch (TlsBoundary.PlaintextInjectionException e) {
            clientHandshaking = false;
            injectionRefused.increment();
            log().warn("refused {}: {}", command, e.getMessage());
            close();
        }
    }

    /** The client leg is now TLS: continue with whatever the client sent over it. */
    protected void onClientTlsStarted() {
        // Nothing buffered to process by default: the next read brings the client's first command over TLS.
    }

    protected final boolean isClientHandshaking() {
        return clientHandshaking;
    }

    protected final void readClientIfPossible() {
        if (phase == Phase.RELAYING && !clientHandshaking && !clientPaused() && upstream.isWritable()) {
            client.read();
        }
    }

    protected final void readUpstreamIfPossible() {
        if (phase == Phase.RELAYING && !upstreamPaused() && (client.isWritable() || upstreamBytesStayHere())) {
            upstream.read();
        }
    }

    /**
     * True while what the upstream sends is buffered by the relay itself (a message being collected for inspection,
     * a bounded read-ahead while one is inspected), not written to the client: then the client's backpressure does
     * not apply, the relay's own bound does. Without it, collecting and writing a message would alternate instead of
     * overlapping.
     */
    protected boolean upstreamBytesStayHere() {
        return false;
    }

    /**
     * The protocol's greeting, once the upstream is ready. Not sent when the client already had the proxy's greeting
     * before STARTTLS (sni routing on the STARTTLS port): after TLS the client speaks first.
     */
    protected final void greetClient(String greeting) {
        if (!greetedBeforeTls) {
            writeClientLine(greeting);
        }
    }

    protected final void writeClientLine(String line) {
        if (clientLegPending || spliced) {
            // No protocol channel: the client's TLS is not ours yet, or its bytes are not ours at all.
            return;
        }
        client.write(Lines.encode(line));
    }

    /** Says the protocol's goodbye, then closes both legs. */
    protected final void closeWithFarewell(String reason) {
        if (phase == Phase.CLOSED) {
            return;
        }
        writeClientLine(farewell(reason));
        closeAfterFlush();
    }

    /** Closes once what was written to the client has gone out. */
    protected final void closeAfterFlush() {
        Phase previous = phase;
        phase = Phase.CLOSED;
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        if (previous != Phase.CLOSED) {
            releaseResources();
        }
    }

    /** Closes at once, without a word (the client broke the protocol, or is gone). */
    protected final void close() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        client.close();
        releaseResources();
    }

    private void releaseResources() {
        if (upstream != null) {
            upstream.close();
        }
        releaseProtocolResources();
        activeConnections.decrement();
    }

    private final class ClientHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            activeConnections.increment();
            onClientConnected();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (phase == Phase.CLOSED) {
                ((ByteBuf) msg).release();
                return;
            }
            onClientBytes((ByteBuf) msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // Before the upstream is ready, the client is only read for its TLS handshake (the SslHandler does that).
            readClientIfPossible();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            readUpstreamIfPossible();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ClientHello) {
                onClientHello((ClientHello) event);
                return;
            }
            if (event instanceof IdleStateEvent) {
                log().info("closing idle connection");
                onIdleTimeout();
                return;
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (phase != Phase.CLOSED) {
                phase = Phase.CLOSED;
                releaseResources();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log().warn("client connection error: {}", Failures.describe(cause));
            close();
        }
    }

    private final class UpstreamHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (phase == Phase.CLOSED) {
                ((ByteBuf) msg).release();
                return;
            }
            onUpstreamBytes((ByteBuf) msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            readUpstreamIfPossible();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            readClientIfPossible();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (phase != Phase.CLOSED) {
                onUpstreamClosed();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log().warn("upstream connection error: {}", Failures.describe(cause));
            if (phase != Phase.CLOSED) {
                onUpstreamClosed();
            }
        }
    }
}
