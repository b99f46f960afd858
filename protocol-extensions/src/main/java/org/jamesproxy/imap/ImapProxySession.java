package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.Lines;
import org.jamesproxy.relay.MessageCollector;
import org.jamesproxy.relay.MessageInterception;
import org.jamesproxy.relay.MessageSections;
import org.jamesproxy.relay.PlainDialogue;
import org.jamesproxy.relay.RelaySession;
import org.jamesproxy.relay.SaslUser;
import org.jamesproxy.relay.SessionLog;
import org.jamesproxy.relay.VerdictRenderer;
import org.jamesproxy.tls.TlsEngines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * One proxied IMAP connection: the client leg (accepted by a {@link ProxyListener}) and the upstream leg.
 * Both legs run on the client channel's event loop, so the state below needs no locking. Bytes flow through
 * untouched except where the proxy must act: capability lists, STARTTLS, authentication on a plain leg, and
 * full-message FETCH literals, which go through the inspection pipeline. Reads follow writes (AUTO_READ off
 * on both legs), so memory stays flat whatever the message sizes.
 */
final class ImapProxySession extends RelaySession {
    private static final Logger LOGGER = LoggerFactory.getLogger(ImapProxySession.class);

    private enum ClientMode {
        COMMAND, AUTHENTICATING, IDLING
    }

    /** What happens to the literal an upstream segment announced. */
    private enum LiteralHandling {
        STREAM, INSPECT, DISCARD_THEN_DENY_NOTICE, DISCARD_AS_NIL
    }

    private static final class PendingCommand {
        final String tag;
        final String name;

        PendingCommand(String tag, String name) {
            this.tag = tag;
            this.name = name;
        }
    }

    /** How much the upstream may send ahead while a message is inspected (kept in the reader, relayed afterwards). */
    private static final int INSPECTION_READ_AHEAD = 256 * 1024;

    private final ImapProxy runtime;
    private final boolean implicitTls;
    private final ImapFrameReader clientReader;
    private final ImapFrameReader upstreamReader;
    private final SessionLog sessionLog;
    private final SaslUser user = new SaslUser();
    private final MessageInterception interception;

    private List<String> upstreamCapabilities = List.of();
    private boolean authenticated;
    private boolean logoutRequested;

    // Client → upstream state
    private ClientMode clientMode = ClientMode.COMMAND;
    private final ArrayDeque<PendingCommand> inFlight = new ArrayDeque<>();
    private boolean commandContinues;
    private boolean discardingCommand;
    private boolean discardingLiteral;
    private long literalAwaitingContinuation = -1;
    private PendingCommand literalCommand;
    private String pendingStartTlsTag;

    // Upstream → client state
    private boolean responseContinues;
    private boolean responseIsFetch;
    private LiteralHandling upstreamLiteral = LiteralHandling.STREAM;
    private String heldSegment;
    private FetchItem heldItem;
    private MessageCollector heldLiteral;

    ImapProxySession(ImapProxy runtime, Channel client, boolean implicitTls) {
        super(client, runtime.route, runtime.metrics.activeConnections);
        this.runtime = runtime;
        this.implicitTls = implicitTls;
        this.clientReader = new ImapFrameReader(client.alloc(), runtime.policy.getPolicy().getMaxLineLength());
        this.upstreamReader = new ImapFrameReader(client.alloc(), runtime.policy.getMaxUpstreamLineLength());
        this.sessionLog = new SessionLog(LOGGER, "IMAP-PROXY", runtime.policyName(), remoteAddress, sessionId, user::user);
        this.interception = new MessageInterception(runtime.interception, client, sessionLog, () -> phase == Phase.RELAYING);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Connection set-up

    @Override
    protected PlainDialogue plainDialogue() {
        return new ImapPlainDialogue(runtime.helloName);
    }

    @Override
    protected SessionLog log() {
        return sessionLog;
    }

    @Override
    protected void onClientConnected() {
        connectionAccepted(runtime.metrics.connections, implicitTls);
        ImapFrameReader preludeReader = new ImapFrameReader(client.alloc(), runtime.policy.getMaxUpstreamLineLength());
        connectUpstream(new ImapUpstreamPrelude(runtime.route.connector(), new ImapUpstreamPrelude.Outcome() {
            @Override
            public void ready(Channel channel, List<String> capabilities, ByteBuf leftover) {
                onUpstreamReady(channel, capabilities, leftover);
            }

            @Override
            public void failed(String reason) {
                onUpstreamFailed(reason);
            }
        }, preludeReader));
    }

    private void onUpstreamFailed(String reason) {
        upstreamUnusable(reason, runtime.metrics.upstreamFailures,
            farewell("[UNAVAILABLE] The mail server is not available, try again later"));
    }

    private void onUpstreamReady(Channel channel, List<String> capabilities, ByteBuf leftover) {
        if (phase == Phase.CLOSED) {
            leftover.release();
            channel.close();
            return;
        }
        attachUpstream(channel);
        upstreamCapabilities = capabilities;
        sessionLog.info("upstream {} ready ({}), client leg {}", runtime.route.connector().describe(), TlsEngines.describe(upstream),
            TlsEngines.describe(client));
        greetClient("* OK [CAPABILITY " + ImapCapabilities.rewrite(upstreamCapabilities, clientLeg()) + "] "
            + runtime.helloName + " IMAP4rev1 proxy ready");
        client.flush();
        if (leftover.isReadable()) {
            upstreamReader.add(leftover);
        } else {
            leftover.release();
        }
        processUpstream();
        processClient();
        readClientIfPossible();
        readUpstreamIfPossible();
    }

    private ImapCapabilities.ClientLeg clientLeg() {
        return new ImapCapabilities.ClientLeg(TlsEngines.isTlsActive(client),
            runtime.policy.getPolicy().getTlsSupport().offersStartTls() && !implicitTls,
            authenticated, runtime.policy.getPolicy().isAllowPlaintextAuth());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Client → upstream

    private void processClient() {
        if (phase != Phase.RELAYING) {
            return;
        }
        try {
            ImapFrame frame;
            while (phase == Phase.RELAYING && !clientPaused() && (frame = clientReader.next()) != null) {
                onClientFrame(frame);
            }
        } catch (InputBuffer.LineTooLongException e) {
            sessionLog.warn("client line too long: {}", e.getMessage());
            closeWithFarewell("[TOOBIG] Command line too long");
            return;
        }
        if (upstream != null) {
            upstream.flush();
        }
    }

    @Override
    protected boolean clientPaused() {
        return isClientHandshaking() || pendingStartTlsTag != null || literalAwaitingContinuation >= 0;
    }

    private void onClientFrame(ImapFrame frame) {
        if (frame.isLiteralChunk()) {
            if (discardingLiteral) {
                frame.content().release();
                discardingLiteral = !frame.isLastChunk();
            } else {
                upstream.write(frame.content());
            }
            return;
        }
        if (discardingCommand) {
            discardContinuation(frame);
            return;
        }
        if (commandContinues) {
            forwardCommandSegment(frame, false);
            return;
        }
        switch (clientMode) {
            case AUTHENTICATING:
                user.onResponse(frame.content().toString(ISO_8859_1));
                upstream.write(frame.content());
                return;
            case IDLING:
                // Only DONE is valid here; the upstream judges it.
                upstream.write(frame.content());
                clientMode = ClientMode.COMMAND;
                return;
            default:
                onNewCommand(frame);
        }
    }

    private void onNewCommand(ImapFrame frame) {
        String line = frame.content().toString(ISO_8859_1).trim();
        String[] words = line.split(" ", 3);
        String tag = words[0];
        String name = words.length > 1 ? words[1].toUpperCase(Locale.US) : "";
        if (tag.isEmpty() || name.isEmpty()) {
            rejectCommand(frame, (tag.isEmpty() ? "*" : tag) + " BAD Missing command");
            return;
        }
        if (name.equals("UID") && words.length > 2) {
            name = "UID " + words[2].split(" ", 2)[0].toUpperCase(Locale.US);
        }
        if (inFlight.size() >= runtime.policy.getMaxPipelinedCommands()) {
            rejectCommand(frame, tag + " BAD [LIMIT] Too many commands in progress");
            return;
        }
        switch (name) {
            case "STARTTLS":
                frame.content().release();
                onStartTls(tag);
                return;
            case "COMPRESS":
                rejectCommand(frame, tag + " BAD COMPRESS is not available through this proxy");
                return;
            case "UNAUTHENTICATE":
                rejectCommand(frame, tag + " BAD UNAUTHENTICATE is not available through this proxy");
                return;
            case "LOGIN":
            case "AUTHENTICATE":
                if (!clientLeg().mayAuthenticate()) {
                    sessionLog.warn("refused {} on a plain connection before STARTTLS", name);
                    rejectCommand(frame, tag + " NO [PRIVACYREQUIRED] Use STARTTLS before logging in");
                    return;
                }
                if (name.equals("LOGIN")) {
                    user.named(ImapArguments.firstAstring(words.length > 2 ? words[2] : ""));
                } else {
                    String[] mechanism = (words.length > 2 ? words[2] : "").split(" ", 2);
                    user.start(mechanism[0], mechanism.length > 1 ? Optional.of(mechanism[1]) : Optional.empty());
                    clientMode = ClientMode.AUTHENTICATING;
                }
                break;
            case "IDLE":
                clientMode = ClientMode.IDLING;
                switchIdleTimeout(true);
                break;
            case "LOGOUT":
                logoutRequested = true;
                break;
            default:
                break;
        }
        inFlight.add(new PendingCommand(tag, name));
        forwardCommandSegment(frame, true);
    }

    private void forwardCommandSegment(ImapFrame frame, boolean firstSegment) {
        if (!frame.announcesLiteral()) {
            commandContinues = false;
            upstream.write(frame.content());
            return;
        }
        if (frame.announcedLiteral() > runtime.policy.getMaxLiteralSize()) {
            String tag = inFlight.isEmpty() ? "*" : inFlight.peekLast().tag;
            sessionLog.warn("client literal of {} bytes refused (limit {})", frame.announcedLiteral(), runtime.policy.getMaxLiteralSize());
            if (firstSegment && !frame.isNonSynchronizing()) {
                inFlight.pollLast();
                restoreModeAfterAbortedCommand();
                frame.content().release();
                writeClientLine(tag + " NO [TOOBIG] Literal too large");
                client.flush();
                return;
            }
            frame.content().release();
            // Part of the command is already upstream, or the client is sending the bytes anyway: no clean way on.
            closeWithFarewell("[TOOBIG] Literal too large");
            return;
        }
        commandContinues = true;
        upstream.write(frame.content());
        if (frame.isNonSynchronizing()) {
            clientReader.expectLiteral(frame.announcedLiteral());
        } else {
            // The client sends the bytes only after the upstream's "+": until then, its next bytes are not literal.
            literalAwaitingContinuation = frame.announcedLiteral();
            literalCommand = inFlight.peekLast();
        }
    }

    private void restoreModeAfterAbortedCommand() {
        clientMode = ClientMode.COMMAND;
        commandContinues = false;
        switchIdleTimeout(false);
    }

    /** Answers a command locally and drops it, including any literal the client sends without waiting. */
    private void rejectCommand(ImapFrame frame, String response) {
        writeClientLine(response);
        client.flush();
        discardContinuation(frame);
    }

    private void discardContinuation(ImapFrame frame) {
        discardingCommand = frame.announcesLiteral() && frame.isNonSynchronizing();
        if (discardingCommand) {
            clientReader.expectLiteral(frame.announcedLiteral());
            discardingLiteral = frame.announcedLiteral() > 0;
        }
        frame.content().release();
    }

    // ---------------------------------------------------------------------------------------------------------
    // STARTTLS on the client leg

    private void onStartTls(String tag) {
        if (implicitTls || TlsEngines.isTlsActive(client)) {
            writeClientLine(tag + " BAD TLS is already active");
        } else if (!runtime.policy.getPolicy().getTlsSupport().offersStartTls()) {
            writeClientLine(tag + " BAD STARTTLS is not available");
        } else if (authenticated) {
            writeClientLine(tag + " BAD STARTTLS is not permitted after authentication");
        } else if (!inFlight.isEmpty()) {
            // Answer only once the commands before it are done, so their responses stay in clear where they belong.
            pendingStartTlsTag = tag;
            return;
        } else {
            startTls(tag);
            return;
        }
        client.flush();
    }

    private void startTls(String tag) {
        pendingStartTlsTag = null;
        startClientTls(runtime.serverTls.orElse(null), clientReader.unconsumed(), "STARTTLS",
            tag + " OK Begin TLS negotiation now", tag + " BAD Commands pipelined after STARTTLS are refused",
            runtime.metrics.startTls, runtime.metrics.injectionRefused);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Upstream → client

    private void processUpstream() {
        if (phase != Phase.RELAYING) {
            return;
        }
        try {
            ImapFrame frame;
            while (phase == Phase.RELAYING && !interception.isInspecting() && (frame = upstreamReader.next()) != null) {
                onUpstreamFrame(frame);
            }
        } catch (InputBuffer.LineTooLongException e) {
            sessionLog.warn("upstream line too long: {}", e.getMessage());
            closeWithFarewell("[UNAVAILABLE] The mail server sent a response the proxy cannot relay");
            return;
        }
        client.flush();
    }

    private void onUpstreamFrame(ImapFrame frame) {
        if (frame.isLiteralChunk()) {
            onUpstreamLiteral(frame);
            return;
        }
        ByteBuf content = frame.content();
        boolean start = !responseContinues;
        responseContinues = frame.announcesLiteral();
        if (start) {
            byte first = content.getByte(content.readerIndex());
            if (first == '+') {
                onContinuationRequest();
                client.write(content);
                return;
            }
            String line = content.toString(ISO_8859_1);
            responseIsFetch = first == '*' && ImapArguments.isFetchResponse(line);
            if (first == '*') {
                content = rewriteUntagged(line, content);
            } else {
                content = onTaggedResponse(line, content);
            }
        }
        if (frame.announcesLiteral()) {
            prepareLiteral(frame, content);
        } else {
            client.write(content);
        }
    }

    private ByteBuf rewriteUntagged(String line, ByteBuf original) {
        String upper = line.toUpperCase(Locale.US);
        if (upper.startsWith("* CAPABILITY ")) {
            original.release();
            return Lines.encode("* CAPABILITY " + ImapCapabilities.rewrite(
                ImapCapabilities.parse(line.substring("* CAPABILITY ".length()).trim()), clientLeg()) + "\r\n");
        }
        return rewriteCodes(line, original);
    }

    private ByteBuf onTaggedResponse(String line, ByteBuf original) {
        String[] words = line.split(" ", 3);
        String tag = words[0];
        String status = words.length > 1 ? words[1].toUpperCase(Locale.US) : "";
        PendingCommand command = removeInFlight(tag);
        if (command != null) {
            onCommandCompleted(command, status);
        }
        ByteBuf rewritten = rewriteCodes(line, original);
        if (pendingStartTlsTag != null && inFlight.isEmpty()) {
            client.write(rewritten);
            startTls(pendingStartTlsTag);
            return Unpooled.EMPTY_BUFFER;
        }
        return rewritten;
    }

    private void onCommandCompleted(PendingCommand command, String status) {
        if (command.name.equals("LOGIN") || command.name.equals("AUTHENTICATE")) {
            clientMode = ClientMode.COMMAND;
            if (status.equals("OK")) {
                authenticated = true;
                runtime.metrics.logins.increment();
                sessionLog.info("user {} logged in", user.user().orElse("(unknown)"));
            } else {
                user.forget();
            }
        } else if (command.name.equals("IDLE")) {
            clientMode = ClientMode.COMMAND;
            switchIdleTimeout(false);
        }
        if (literalAwaitingContinuation >= 0 && literalCommand == command) {
            // The upstream ended the command instead of asking for its literal: the client will not send it.
            literalAwaitingContinuation = -1;
            commandContinues = false;
            processClient();
            // The client leg stopped reading while it waited for the "+": without this read it would stall.
            readClientIfPossible();
        }
    }

    private PendingCommand removeInFlight(String tag) {
        for (PendingCommand pending : inFlight) {
            if (pending.tag.equals(tag)) {
                inFlight.remove(pending);
                return pending;
            }
        }
        return null;
    }

    private void onContinuationRequest() {
        if (literalAwaitingContinuation >= 0) {
            clientReader.expectLiteral(literalAwaitingContinuation);
            literalAwaitingContinuation = -1;
            // The client sends its literal once it has this "+": resume after it is written.
            client.eventLoop().execute(() -> {
                processClient();
                readClientIfPossible();
            });
        }
    }

    private ByteBuf rewriteCodes(String line, ByteBuf original) {
        String rewritten = ImapCapabilities.stripReferral(ImapCapabilities.rewriteCode(line, clientLeg()));
        if (rewritten.equals(line)) {
            return original;
        }
        original.release();
        return Lines.encode(rewritten);
    }

    private void prepareLiteral(ImapFrame frame, ByteBuf segment) {
        long size = frame.announcedLiteral();
        upstreamLiteral = responseIsFetch && interception.inspects()
            ? literalHandling(FetchItem.classify(segment.toString(ISO_8859_1)), size)
            : LiteralHandling.STREAM;
        if (upstreamLiteral == LiteralHandling.STREAM) {
            client.write(segment);
            upstreamReader.expectLiteral(size);
            return;
        }
        heldSegment = FetchItem.withoutLiteral(segment.toString(ISO_8859_1));
        segment.release();
        upstreamReader.expectLiteral(size);
        heldLiteral = upstreamLiteral == LiteralHandling.INSPECT ? interception.collector(size) : MessageCollector.headOnly();
        if (size == 0) {
            onHeldLiteralComplete();
        }
    }

    private LiteralHandling literalHandling(FetchItem item, long size) {
        if (item == FetchItem.FULL_MESSAGE || item == FetchItem.HEADER) {
            heldItem = item;
            switch (interception.decide(size)) {
                case INSPECT:
                    return LiteralHandling.INSPECT;
                case REPLACE_WITH_NOTICE:
                    return LiteralHandling.DISCARD_THEN_DENY_NOTICE;
                default:
                    interception.passedUninspected(size);
                    return LiteralHandling.STREAM;
            }
        }
        return item == FetchItem.PARTIAL && interception.refusesPartialRetrieval()
            ? LiteralHandling.DISCARD_AS_NIL
            : LiteralHandling.STREAM;
    }

    private void onUpstreamLiteral(ImapFrame frame) {
        if (upstreamLiteral == LiteralHandling.STREAM) {
            client.write(frame.content());
            return;
        }
        heldLiteral.add(frame.content());
        if (frame.isLastChunk()) {
            onHeldLiteralComplete();
        }
    }

    private void onHeldLiteralComplete() {
        byte[] held = heldLiteral.take();
        heldLiteral = null;
        LiteralHandling handling = upstreamLiteral;
        upstreamLiteral = LiteralHandling.STREAM;
        switch (handling) {
            case INSPECT:
                interception.inspect(held, new LiteralRenderer(heldSegment, heldItem, true));
                break;
            case DISCARD_AS_NIL:
                // NIL takes the literal's place inside the response line: no CRLF, the rest of the line follows.
                client.write(Unpooled.copiedBuffer(heldSegment + "NIL", ISO_8859_1));
                break;
            case DISCARD_THEN_DENY_NOTICE:
                // Rendered within the upstream loop that is reading this response: it goes on by itself.
                interception.replaceOversize(held, new LiteralRenderer(heldSegment, heldItem, false));
                break;
            default:
                break;
        }
    }

    /**
     * A verdict as the literal of the held FETCH response segment. Nothing of that response has been written yet, so
     * a drop's {@code * BYE} starts a line of its own.
     */
    private final class LiteralRenderer implements VerdictRenderer {
        private final String segmentPrefix;
        private final FetchItem item;
        private final boolean resumeUpstream;

        /** @param resumeUpstream the verdict came back from the inspection pool: the upstream leg is read on */
        LiteralRenderer(String segmentPrefix, FetchItem item, boolean resumeUpstream) {
            this.segmentPrefix = segmentPrefix;
            this.item = item;
            this.resumeUpstream = resumeUpstream;
        }

        @Override
        public void allowed(byte[] content, boolean modified) {
            // A header fetch gets a header section back, also when the action changed the message.
            deliver(modified ? headerOnlyIfAsked(content) : content);
        }

        @Override
        public void denied(byte[] notice, String reason) {
            deliver(headerOnlyIfAsked(notice));
        }

        @Override
        public void tempfailed(byte[] notice, String reason) {
            deliver(headerOnlyIfAsked(notice));
        }

        @Override
        public void closing() {
            closeWithFarewell("Connection closed by policy");
        }

        private byte[] headerOnlyIfAsked(byte[] content) {
            return item == FetchItem.HEADER ? MessageSections.headerSection(content) : content;
        }

        private void deliver(byte[] content) {
            client.write(Lines.encode(segmentPrefix + "{" + content.length + "}\r\n"));
            client.write(Unpooled.wrappedBuffer(content));
            if (resumeUpstream) {
                processUpstream();
                readUpstreamIfPossible();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Flow control, timeouts, shutdown

    @Override
    protected void onClientTlsStarted() {
        processClient();
    }

    @Override
    protected boolean upstreamPaused() {
        return interception.isInspecting() && upstreamReader.unconsumed().readableBytes() >= INSPECTION_READ_AHEAD;
    }

    @Override
    protected boolean upstreamBytesStayHere() {
        // Collecting or inspecting a message may overlap with the client draining the previous one, as long as what
        // waits for the client stays bounded too.
        return (upstreamLiteral == LiteralHandling.INSPECT || interception.isInspecting())
            && client.bytesBeforeWritable() < INSPECTION_READ_AHEAD;
    }

    @Override
    protected void onClientBytes(ByteBuf bytes) {
        clientReader.add(bytes);
        processClient();
    }

    @Override
    protected void onUpstreamBytes(ByteBuf bytes) {
        upstreamReader.add(bytes);
        processUpstream();
    }

    @Override
    protected String farewell(String reason) {
        return "* BYE " + reason;
    }

    @Override
    protected void onIdleTimeout() {
        closeWithFarewell("Autologout; idle for too long");
    }

    @Override
    protected void onUpstreamClosed() {
        if (logoutRequested) {
            closeAfterFlush();
        } else {
            sessionLog.warn("the mail server closed the connection");
            closeWithFarewell("[UNAVAILABLE] Connection to the mail server lost");
        }
    }

    private void switchIdleTimeout(boolean idling) {
        IdleStateHandler handler = idling
            ? new IdleStateHandler(runtime.policy.getImapIdleTimeout().toSeconds(), 0, 0, java.util.concurrent.TimeUnit.SECONDS)
            : ProxyListener.idleTimeoutHandler(runtime.policy.getPolicy().getIdleTimeout().toSeconds());
        if (client.pipeline().get(ProxyListener.IDLE_TIMEOUT_HANDLER) != null) {
            client.pipeline().replace(ProxyListener.IDLE_TIMEOUT_HANDLER, ProxyListener.IDLE_TIMEOUT_HANDLER, handler);
        }
    }

    @Override
    protected void releaseProtocolResources() {
        clientReader.release();
        upstreamReader.release();
        if (heldLiteral != null) {
            heldLiteral.release();
            heldLiteral = null;
        }
        sessionLog.info("connection closed: {}", interception.summary());
    }
}
