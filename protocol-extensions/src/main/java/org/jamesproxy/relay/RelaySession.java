package org.jamesproxy.relay;

import java.util.Optional;

import org.apache.james.metrics.api.Metric;
import org.jamesproxy.config.ClientDeadlines;
import org.jamesproxy.haproxy.ClientAddress;
import org.jamesproxy.policy.AccessControl;
import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.tls.TlsBoundary;
import org.jamesproxy.tls.TlsEngines;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ByteProcessor;

/**
 * The two-leg pump every protocol relay shares: the client channel (accepted by a listener) and the upstream
 * channel (opened on the same event loop, so no locking), reads that follow writes (both legs have AUTO_READ off: a
 * leg is read only when the other can take the bytes, which keeps memory flat), and one way to close. Where the
 * upstream leg goes is the {@link UpstreamRoute}'s business. A protocol supplies what is its own: how it parses each
 * leg, when a leg must pause, and how it says goodbye.
 */
public abstract class RelaySession {
    protected enum Phase {
        /** Waiting for the upstream leg to be usable (greeting, TLS, capabilities). */
        CONNECTING,
        RELAYING,
        CLOSED
    }

    private static final int DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

    protected final Channel client;
    protected final String remoteAddress;
    protected final String sessionId;
    private final Metric activeConnections;
    private final ClientHandler clientHandler = new ClientHandler();
    /** This connection's part of the route: where the upstream leg goes, and what the client leg may hear meanwhile. */
    private final UpstreamRoute.Routing routing;
    protected Channel upstream;
    protected Phase phase = Phase.CONNECTING;
    private boolean clientHandshaking;
    private final ClientDeadlines deadlines;
    private final ClientDeadlineTimers deadlineTimers;
    private final int maxLineLength;
    /** Set on a plain port until the client's first command is in: the upstream leg is opened then. */
    private UpstreamPrelude awaitingFirstCommand;
    private long earlyBytes;
    private boolean greetedWithoutUpstream;

    /**
     * A login the upstream refused: the policy's auto-block counts it (per source, per user).
     */
    protected final void loginFailed(AccessControl access, String user) {
        java.net.InetSocketAddress remote = ClientAddress.of(client).source();
        if (remote != null && remote.getAddress() != null) {
            access.loginFailed(remote.getAddress(), user);
        }
    }

    /** With the default {@code <timeouts>} and line bound (a policy's {@code limits.maxLineLength} default, 64K). */
    protected RelaySession(Channel client, UpstreamRoute route, Metric activeConnections) {
        this(client, route, activeConnections, ClientDeadlines.DEFAULT, DEFAULT_MAX_LINE_LENGTH);
    }

    /**
     * @param deadlines the policy's {@code <timeouts>}
     * @param maxLineLength the policy's client line bound, also for what arrives before the upstream exists
     */
    protected RelaySession(Channel client, UpstreamRoute route, Metric activeConnections, ClientDeadlines deadlines,
                           int maxLineLength) {
        this.maxLineLength = maxLineLength;
        this.client = client;
        this.activeConnections = activeConnections;
        this.sessionId = client.id().asShortText();
        // The client's address from its trusted proxy's PROXY header, if any: known before the session is made.
        this.remoteAddress = ClientAddress.of(client).hostAddress();
        this.deadlines = deadlines;
        this.deadlineTimers = new ClientDeadlineTimers(client, deadlines, this::clientBeingRead, new MissedDeadlines());
        this.routing = route.begin(new Callbacks());
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

    /** A line the client started did not end within {@code <timeouts><commandLine>} (a slow trickle of bytes). */
    protected void onCommandLineDeadline() {
        closeWithFarewell("command line not completed in time");
    }

    /** The client was not logged in within {@code <timeouts><login>} of connecting. */
    protected void onLoginDeadline() {
        closeWithFarewell("not logged in in time");
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
    protected final void upstreamUnusable(String reason, Metric failures, String lastLine) {
        if (phase == Phase.CLOSED) {
            return;
        }
        failures.increment();
        log().warn("upstream {} unusable: {}", routing.describeUpstream(), reason);
        routing.upstreamUnusable(reason);
        writeClientLine(lastLine);
        closeAfterFlush();
    }

    /**
     * Opens the upstream leg with the protocol's prelude, where the route says (for a "Client" proxy action maybe
     * only once the client's ClientHello names the destination); a refused or timed-out connection fails it like any
     * prelude failure.
     */
    protected final void connectUpstream(UpstreamPrelude prelude) {
        SslHandler implicitTls = client.pipeline().get(SslHandler.class);
        if (implicitTls == null || implicitTls.handshakeFuture().isDone()) {
            routing.connect(prelude);
            return;
        }
        // No upstream work for a client that did nothing: a bare TCP connect, or a handshake that never completes,
        // costs the mail server nothing.
        implicitTls.handshakeFuture().addListener(handshake -> {
            if (handshake.isSuccess() && phase != Phase.CLOSED) {
                routing.connect(prelude);
            } else {
                prelude.abandon();
                close();
            }
        });
    }

    /**
     * On a plain port: the proxy greets at once with {@code greeting} (its own words, nothing learnt from the
     * upstream) and opens the upstream leg only when the client's first command line is in; the session's own greeting
     * once the upstream is ready is then not sent. Routes that speak a plain phase of their own (sni routing) connect
     * as {@link #connectUpstream} does.
     */
    protected final void connectUpstreamOnFirstCommand(UpstreamPrelude prelude, String greeting) {
        if (!routing.mayWaitForFirstCommand()) {
            connectUpstream(prelude);
            return;
        }
        writeClientLine(greeting);
        client.flush();
        greetedWithoutUpstream = true;
        awaitingFirstCommand = prelude;
        client.read();
    }

    /** True when the client had the proxy's own greeting before any upstream existed (plain port). */
    protected final boolean greetedWithoutUpstream() {
        return greetedWithoutUpstream;
    }

    /** Bytes before the first command's end: the protocol keeps them; the upstream is opened at the first LF. */
    private void onBytesBeforeFirstCommand(ByteBuf bytes) {
        earlyBytes += bytes.readableBytes();
        boolean lineComplete = bytes.forEachByte(ByteProcessor.FIND_LF) >= 0;
        onClientBytes(bytes);
        if (phase == Phase.CLOSED || awaitingFirstCommand == null) {
            return;
        }
        if (lineComplete) {
            UpstreamPrelude prelude = awaitingFirstCommand;
            awaitingFirstCommand = null;
            routing.connect(prelude);
        } else if (earlyBytes > maxLineLength) {
            log().warn("client line too long before its first command ended ({} bytes)", earlyBytes);
            closeWithFarewell("command line too long");
        }
    }

    /** True when the client leg presents certificates minted by the Proxy Authority (a "Client" proxy action). */
    protected final boolean presentsMintedCertificates() {
        return routing.presentsMintedCertificates();
    }

    /** The client logged in (SMTP: or started a mail transaction): the login deadline no longer applies. */
    protected final void loginPhaseOver() {
        deadlineTimers.loggedIn();
    }

    /** The handshake deadline of the policy, for a client-leg TLS handler. */
    private SslHandler withHandshakeDeadline(SslHandler handler) {
        handler.setHandshakeTimeoutMillis(deadlines.getTlsHandshake().toMillis());
        return handler;
    }

    private boolean clientBeingRead() {
        return awaitingFirstCommand != null
            || phase == Phase.RELAYING && !clientHandshaking && !clientPaused() && upstream.isWritable();
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
     * handshake is done, then {@link #onClientTlsStarted()} runs. The route picks the certificate: {@code tls}, or (a
     * client-action policy) one minted for the destination, and {@code tls} may then be null.
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
        Optional<SslHandler> handler = routing.clientTlsHandler(tls, upstream);
        if (handler.isEmpty()) {
            closeWithFarewell("TLS is not available");
            return;
        }
        writeClientLine(goAhead);
        client.flush();
        clientHandshaking = true;
        try {
            TlsBoundary.upgrade(client, withHandshakeDeadline(handler.get()), unconsumed)
                .addListener(handshake -> {
                    clientHandshaking = false;
                    if (!handshake.isSuccess()) {
                        log().warn("client TLS handshake after {} failed: {}", command, Failures.describeClientLeg(handshake.cause()));
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

    /** The client leg can take bytes again (its outbound buffer drained below the low water mark). */
    protected void onClientWritable() {
        // Nothing paced by default: the upstream leg is read again (readUpstreamIfPossible).
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
        if (!routing.greetedBeforeTls() && !greetedWithoutUpstream) {
            writeClientLine(greeting);
        }
    }

    protected final void writeClientLine(String line) {
        if (routing.clientLegSilent()) {
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
        deadlineTimers.stop();
        if (awaitingFirstCommand != null) {
            awaitingFirstCommand.abandon();
            awaitingFirstCommand = null;
        }
        if (upstream != null) {
            upstream.close();
        }
        releaseProtocolResources();
        activeConnections.decrement();
    }

    /** A deadline passed: the protocol's words, unless the connection is no longer the protocol's (spliced). */
    private final class MissedDeadlines implements ClientDeadlineTimers.Missed {
        @Override
        public void commandLine() {
            if (phase != Phase.CLOSED && !routing.relaysRawBytes()) {
                log().warn("closing: a command line was not completed within {}", deadlines.getCommandLine());
                onCommandLineDeadline();
            }
        }

        @Override
        public void login() {
            if (phase != Phase.CLOSED && !routing.relaysRawBytes()) {
                log().warn("closing: not logged in within {} of connecting", deadlines.getLogin());
                onLoginDeadline();
            }
        }
    }

    /** What the route may ask of this session. */
    private final class Callbacks implements RoutedSession {
        @Override
        public Channel client() {
            return client;
        }

        @Override
        public String clientHandlerName() {
            return client.pipeline().context(clientHandler).name();
        }

        @Override
        public String remoteAddress() {
            return remoteAddress;
        }

        @Override
        public SessionLog log() {
            return RelaySession.this.log();
        }

        @Override
        public PlainDialogue plainDialogue() {
            return RelaySession.this.plainDialogue();
        }

        @Override
        public void closeWithFarewell(String reason) {
            RelaySession.this.closeWithFarewell(reason);
        }

        @Override
        public void close() {
            RelaySession.this.close();
        }

        @Override
        public boolean isClosed() {
            return phase == Phase.CLOSED;
        }

        @Override
        public void adoptUpstream(Channel channel) {
            upstream = channel;
        }
    }

    private final class ClientHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            activeConnections.increment();
            deadlineTimers.connected();
            onClientConnected();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (phase == Phase.CLOSED) {
                ((ByteBuf) msg).release();
                return;
            }
            deadlineTimers.onClientBytes((ByteBuf) msg);
            if (awaitingFirstCommand != null) {
                onBytesBeforeFirstCommand((ByteBuf) msg);
                return;
            }
            onClientBytes((ByteBuf) msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (awaitingFirstCommand != null && phase != Phase.CLOSED) {
                // Still in the first command: read on until its end.
                client.read();
                return;
            }
            // Before the upstream is ready, the client is only read for its TLS handshake (the SslHandler does that).
            readClientIfPossible();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (phase == Phase.RELAYING && ctx.channel().isWritable()) {
                onClientWritable();
            }
            readUpstreamIfPossible();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (routing.onClientEvent(event)) {
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
            log().warn("client connection error: {}", Failures.describeClientLeg(cause));
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
