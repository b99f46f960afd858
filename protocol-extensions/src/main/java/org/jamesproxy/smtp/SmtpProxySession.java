package org.jamesproxy.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.List;
import java.util.Optional;

import org.jamesproxy.config.SmtpPolicy;
import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.MessageInterception;
import org.jamesproxy.relay.PlainDialogue;
import org.jamesproxy.relay.RelaySession;
import org.jamesproxy.relay.SessionLog;
import org.jamesproxy.tls.TlsEngines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * One proxied SMTP connection, relayed inline: the proxy greets the client, then forwards each command to the
 * upstream in step and hands the upstream's reply back (EHLO's is rewritten). Both legs run on the client channel's
 * event loop, so nothing here needs locking. What each command does is its handler's ({@link SmtpCommandHandler});
 * a message's way from DATA to the client's reply is {@link MessageDelivery}'s. This class holds the session's state
 * and keeps the replies in order.
 * <p>
 * Replies are delivered in command order (PIPELINING): commands answered by the proxy itself wait in the same queue
 * as those waiting for the upstream. Barrier commands (EHLO, HELO, AUTH, STARTTLS, DATA, QUIT) are handled only once
 * every earlier reply is out, and nothing after them is read until they are done.
 */
final class SmtpProxySession extends RelaySession implements SmtpConversation {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpProxySession.class);

    private enum ClientMode {
        COMMAND, AUTH_RESPONSE, DATA
    }

    private final SmtpProxy runtime;
    private final SmtpPolicy policy;
    private final boolean implicitTls;
    private final InputBuffer clientReader;
    private final SmtpReply.Reader upstreamReader;
    private final SessionLog sessionLog;
    private final SmtpSessionState state = new SmtpSessionState();
    private final MessageDelivery delivery;

    private final ReplyQueue pending = new ReplyQueue(this::writeClientLine);
    private String heldCommand;
    private boolean barrierInFlight;
    private ClientMode clientMode = ClientMode.COMMAND;

    SmtpProxySession(SmtpProxy runtime, Channel client, boolean implicitTls) {
        super(client, runtime.route, runtime.metrics.activeConnections, runtime.policy.getPolicy().getDeadlines(),
            runtime.policy.getPolicy().getMaxLineLength());
        this.runtime = runtime;
        this.policy = runtime.policy;
        this.implicitTls = implicitTls;
        this.clientReader = new InputBuffer(client.alloc(), policy.getPolicy().getMaxLineLength());
        this.upstreamReader = new SmtpReply.Reader(new InputBuffer(client.alloc(), policy.getMaxUpstreamLineLength()));
        this.sessionLog = new SessionLog(LOGGER, "SMTP-PROXY", runtime.policyName(), remoteAddress, sessionId, state.user()::user);
        MessageInterception interception = new MessageInterception(runtime.interception, client, sessionLog,
            () -> phase == Phase.RELAYING)
            .withDetails(context -> context.sender(state.transaction().sender()).recipients(state.transaction().recipients()));
        this.delivery = new MessageDelivery(this, interception);
    }

    @Override
    protected PlainDialogue plainDialogue() {
        return new SmtpPlainDialogue(runtime.helloName);
    }

    @Override
    public SessionLog log() {
        return sessionLog;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Connection set-up

    @Override
    protected void onClientConnected() {
        connectionAccepted(runtime.metrics.connections, implicitTls);
        InputBuffer preludeBuffer = new InputBuffer(client.alloc(), policy.getMaxUpstreamLineLength());
        SmtpUpstreamPrelude prelude = new SmtpUpstreamPrelude(runtime.route.connector(), policy.isOpportunisticStartTls(),
            runtime.helloName, new SmtpUpstreamPrelude.Outcome() {
                @Override
                public void ready(Channel channel, List<String> keywords, boolean plaintextFallback, String fallbackReason,
                                  ByteBuf leftover) {
                    onUpstreamReady(channel, keywords, plaintextFallback, fallbackReason, leftover);
                }

                @Override
                public void failed(String reason) {
                    onUpstreamFailed(reason);
                }
            }, preludeBuffer);
        if (implicitTls) {
            connectUpstream(prelude);
        } else {
            connectUpstreamOnFirstCommand(prelude, greeting());
        }
    }

    private String greeting() {
        return "220 " + runtime.helloName + " ESMTP james-mail-proxy ready";
    }

    private void onUpstreamFailed(String reason) {
        upstreamUnusable(reason, runtime.metrics.upstreamFailures,
            "421 4.3.2 " + runtime.helloName + " Service not available, try again later");
    }

    private void onUpstreamReady(Channel channel, List<String> keywords, boolean plaintextFallback, String fallbackReason,
                                 ByteBuf leftover) {
        if (phase == Phase.CLOSED) {
            leftover.release();
            channel.close();
            return;
        }
        attachUpstream(channel);
        state.upstreamKeywords(keywords);
        if (plaintextFallback) {
            runtime.upstreamPlaintext.increment();
            sessionLog.warn("opportunistic STARTTLS toward {}: {}; relaying IN CLEAR", runtime.route.connector().describe(), fallbackReason);
        }
        sessionLog.info("upstream {} ready ({}), client leg {}", runtime.route.connector().describe(), TlsEngines.describe(upstream),
            TlsEngines.describe(client));
        greetClient(greeting());
        client.flush();
        if (leftover.isReadable()) {
            upstreamReader.buffer().add(leftover);
        } else {
            leftover.release();
        }
        processUpstream();
        processClient();
        readClientIfPossible();
        readUpstreamIfPossible();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Client → upstream

    @Override
    protected boolean clientPaused() {
        return isClientHandshaking() || heldCommand != null || barrierInFlight || delivery.isBusy()
            || pending.size() >= policy.getMaxPipelinedCommands()
            // Without PIPELINING upstream, one command at a time.
            || (!pending.isEmpty() && !SmtpExtensions.has(state.upstreamKeywords(), "PIPELINING"));
    }

    private void processClient() {
        if (phase != Phase.RELAYING) {
            return;
        }
        try {
            while (phase == Phase.RELAYING && !clientPaused()) {
                ByteBuf line = clientReader.nextLine();
                if (line == null) {
                    break;
                }
                try {
                    if (clientMode == ClientMode.DATA) {
                        if (delivery.onLine(line)) {
                            clientMode = ClientMode.COMMAND;
                        }
                    } else {
                        onClientLine(line);
                    }
                } finally {
                    line.release();
                }
            }
        } catch (InputBuffer.LineTooLongException e) {
            sessionLog.warn("client line too long: {}", e.getMessage());
            closeWith("500 5.5.0 Line too long");
            return;
        }
        flushBoth();
    }

    private void onClientLine(ByteBuf line) {
        String text = SmtpReply.stripLineEnd(line.toString(ISO_8859_1));
        if (text.indexOf('\r') >= 0 || text.indexOf('\0') >= 0) {
            localReply("500 5.5.2 Syntax error: stray CR or NUL in command");
            return;
        }
        if (clientMode == ClientMode.AUTH_RESPONSE) {
            clientMode = ClientMode.COMMAND;
            runtime.commands.auth().onResponse(this, text);
            return;
        }
        if (runtime.commands.forVerb(SmtpCommandLine.verb(text)).filter(SmtpCommandHandler::isBarrier).isPresent()
            && !pending.isEmpty()) {
            // Answer only once the replies before it are out, so that ordering and state stay exact.
            heldCommand = text;
            return;
        }
        execute(text);
    }

    private void execute(String text) {
        String verb = SmtpCommandLine.verb(text);
        Optional<SmtpCommandHandler> handler = runtime.commands.forVerb(verb);
        if (handler.isPresent()) {
            handler.get().onCommand(this, text, SmtpCommandLine.argument(text));
        } else {
            localReply(verb.isEmpty() ? "500 5.5.2 Syntax error: empty command" : "500 5.5.2 Command not recognized");
        }
    }

    @Override
    public boolean authAllowed() {
        return implicitTls || TlsEngines.isTlsActive(client) || policy.getPolicy().isAllowPlaintextAuth();
    }

    @Override
    protected void onClientTlsStarted() {
        // RFC 3207 4.2: the session starts over; the client must EHLO again.
        state.greeted(false);
        if (state.transaction().mailState() != SmtpTransaction.MailState.NONE) {
            SimpleCommands.INTERNAL_RESET.onCommand(this, "RSET", "");
        }
        state.transaction().reset();
        processClient();
    }

    @Override
    public void forward(SmtpCommandHandler handler, String command, Optional<SmtpPath> path) {
        pending.forwarded(handler, state.transaction().generation(), path);
        upstream.write(Unpooled.copiedBuffer(command + "\r\n", ISO_8859_1));
    }

    @Override
    public void localReply(String reply) {
        pending.local(reply, state.transaction().generation());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Upstream → client

    private void processUpstream() {
        if (phase != Phase.RELAYING) {
            return;
        }
        try {
            SmtpReply reply;
            while (phase == Phase.RELAYING && (reply = upstreamReader.next()) != null) {
                onUpstreamReply(reply);
            }
        } catch (InputBuffer.LineTooLongException | SmtpReply.MalformedReplyException e) {
            sessionLog.warn("upstream protocol error: {}", e.getMessage());
            upstreamLost();
            return;
        }
        flushBoth();
        resumeClient();
    }

    private void onUpstreamReply(SmtpReply reply) {
        Optional<ReplyQueue.Pending> answered = pending.answered();
        if (answered.isEmpty()) {
            if (reply.code() == 421) {
                sessionLog.warn("the mail server is closing the connection: {}", reply);
                writeRaw(reply.wire());
                closeAfterFlush();
            } else {
                sessionLog.warn("unsolicited reply from the mail server ignored: {}", reply);
            }
            return;
        }
        ReplyQueue.Pending head = answered.get();
        if (head.handler().isBarrier()) {
            barrierInFlight = false;
        }
        head.handler().onReply(this, head.path(), state.transaction().isCurrent(head.generation()), reply);
        if (phase == Phase.RELAYING) {
            pending.drainLocal();
        }
    }

    /** Continues with the client once the queue allows: a held barrier command first. */
    private void resumeClient() {
        if (phase != Phase.RELAYING) {
            return;
        }
        if (heldCommand != null && pending.isEmpty() && !barrierInFlight && !delivery.isBusy()) {
            String command = heldCommand;
            heldCommand = null;
            execute(command);
        }
        processClient();
        readClientIfPossible();
    }

    private void upstreamLost() {
        if (phase != Phase.RELAYING) {
            return;
        }
        runtime.metrics.upstreamFailures.increment();
        boolean waiting = pending.awaitsUpstreamOtherThan(SimpleCommands.INTERNAL_RESET) || delivery.isBusy();
        sessionLog.warn("connection to the mail server lost{}", delivery.isBusy() ? " during DATA" : "");
        closeWith(waiting
            ? "451 4.4.2 Connection to the mail server lost, message not accepted"
            : "421 4.4.2 " + runtime.helloName + " Connection to the mail server lost, closing");
    }

    // ---------------------------------------------------------------------------------------------------------
    // The relay skeleton's hooks

    @Override
    protected boolean upstreamPaused() {
        // Upstream replies are small and consumed at once; the message itself is never read from the upstream.
        return false;
    }

    @Override
    protected void onClientBytes(ByteBuf bytes) {
        clientReader.add(bytes);
        processClient();
    }

    @Override
    protected void onUpstreamBytes(ByteBuf bytes) {
        upstreamReader.buffer().add(bytes);
        processUpstream();
    }

    @Override
    protected String farewell(String reason) {
        return "421 4.4.2 " + runtime.helloName + " " + reason + ", closing connection";
    }

    @Override
    protected void onUpstreamClosed() {
        if (state.isQuitRequested() && pending.isEmpty()) {
            closeAfterFlush();
        } else {
            upstreamLost();
        }
    }

    @Override
    protected void releaseProtocolResources() {
        if (clientMode == ClientMode.DATA || delivery.isBusy()) {
            // Whatever the upstream got of this transaction has no final dot from us: it is never delivered.
            sessionLog.warn("session ended during DATA; the message is abandoned");
        }
        clientReader.release();
        upstreamReader.buffer().release();
        delivery.release();
        sessionLog.info("connection closed: {}", delivery.summary());
    }

    private void flushBoth() {
        client.flush();
        if (upstream != null) {
            upstream.flush();
        }
    }

    private void writeRaw(String text) {
        client.write(Unpooled.copiedBuffer(text, ISO_8859_1));
    }

    @Override
    public void closeWith(String reply) {
        if (phase == Phase.CLOSED) {
            return;
        }
        pending.drainLocal();
        writeClientLine(reply);
        closeAfterFlush();
    }

    // ---------------------------------------------------------------------------------------------------------
    // What the command handlers may do (SmtpConversation)

    @Override
    public SmtpProxy proxy() {
        return runtime;
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public void forwardBarrier(SmtpCommandHandler handler, String command) {
        barrierInFlight = true;
        forward(handler, command, Optional.empty());
    }

    @Override
    public void writeClient(String wire) {
        writeRaw(wire);
    }

    @Override
    public void policyRejection(String what) {
        runtime.policyRejections.increment();
        sessionLog.info("refused {} by policy", what);
    }

    @Override
    public SmtpSessionState state() {
        return state;
    }

    @Override
    public boolean lockedOut(String user) {
        return runtime.access.isLockedOut(user);
    }

    @Override
    public void authenticationFailed(SmtpReply reply) {
        loginFailed(runtime.access, state.user().user().orElse("(unknown)"));
    }

    @Override
    public void authenticated() {
        state.authenticated();
        loginPhaseOver();
        runtime.metrics.logins.increment();
        sessionLog.info("user {} logged in", state.user().user().orElse("(unknown)"));
    }

    @Override
    public void transactionStarted() {
        loginPhaseOver();
    }

    @Override
    public boolean isTlsActive() {
        return implicitTls || TlsEngines.isTlsActive(client);
    }

    @Override
    public void expectAuthResponse() {
        clientMode = ClientMode.AUTH_RESPONSE;
    }

    @Override
    public void startTls() {
        startClientTls(runtime.serverTls.orElse(null), clientReader.unconsumed(), "STARTTLS", "220 2.0.0 Ready to start TLS",
            "554 5.5.1 Commands pipelined after STARTTLS are refused", runtime.metrics.startTls, runtime.metrics.injectionRefused);
    }

    @Override
    public void beginData() {
        clientMode = ClientMode.DATA;
        delivery.begin();
    }

    @Override
    public void closeAfterReplies() {
        closeAfterFlush();
    }

    @Override
    public boolean canPresentTls() {
        return runtime.serverTls.isPresent() || presentsMintedCertificates();
    }

    @Override
    public void expectReplyFirst(SmtpCommandHandler handler) {
        pending.forwardedFirst(handler, state.transaction().generation());
    }

    @Override
    public void writeUpstream(ByteBuf bytes) {
        upstream.write(bytes);
    }

    @Override
    public void flushUpstream() {
        upstream.flush();
    }

    @Override
    public void resume() {
        flushBoth();
        resumeClient();
    }
}
