package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.jamesproxy.config.InspectionSettings;
import org.jamesproxy.inspection.DenyNotice;
import org.jamesproxy.inspection.InspectionContext;
import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.inspection.Verdict;
import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.Lines;
import org.jamesproxy.relay.MessageSections;
import org.jamesproxy.relay.PlainDialogue;
import org.jamesproxy.relay.RelaySession;
import org.jamesproxy.relay.SessionLog;
import org.jamesproxy.tls.TlsEngines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
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

    private static final int DENY_NOTICE_HEADER_BYTES = 64 * 1024;
    /** How much the upstream may send ahead while a message is inspected (kept in the reader, relayed afterwards). */
    private static final int INSPECTION_READ_AHEAD = 256 * 1024;

    private final ImapProxyRuntime runtime;
    private final boolean implicitTls;
    private final ImapFrameReader clientReader;
    private final ImapFrameReader upstreamReader;
    private final SessionLog sessionLog;

    private List<String> upstreamCapabilities = List.of();
    private boolean authenticated;
    private Optional<String> user = Optional.empty();
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
    private String authenticateMechanism;

    // Upstream → client state
    private boolean responseContinues;
    private boolean responseIsFetch;
    private LiteralHandling upstreamLiteral = LiteralHandling.STREAM;
    private String heldSegment;
    private FetchItem heldItem;
    private CompositeByteBuf heldLiteral;
    private boolean inspecting;
    private int inspectedCount;
    private int modifiedCount;
    private int deniedCount;

    ImapProxySession(ImapProxyRuntime runtime, Channel client, boolean implicitTls) {
        super(client, runtime.route, runtime.metrics.activeConnections);
        this.runtime = runtime;
        this.implicitTls = implicitTls;
        this.clientReader = new ImapFrameReader(client.alloc(), runtime.policy.getPolicy().getMaxLineLength());
        this.upstreamReader = new ImapFrameReader(client.alloc(), runtime.policy.getMaxUpstreamLineLength());
        this.sessionLog = new SessionLog(LOGGER, "IMAP-PROXY", runtime.policyName(), remoteAddress, sessionId, () -> user);
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
                captureSaslUser(frame.content());
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
                    user = ImapArguments.firstAstring(words.length > 2 ? words[2] : "");
                } else {
                    String[] mechanism = (words.length > 2 ? words[2] : "").split(" ", 2);
                    authenticateMechanism = mechanism[0].toUpperCase(Locale.US);
                    if (mechanism.length > 1) {
                        captureSaslUser(Unpooled.wrappedBuffer(mechanism[1].getBytes(ISO_8859_1)));
                    }
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

    private void captureSaslUser(ByteBuf response) {
        if (!"PLAIN".equals(authenticateMechanism) || user.isPresent()) {
            return;
        }
        try {
            String[] parts = new String(Base64.getDecoder().decode(response.toString(ISO_8859_1).trim()), UTF_8).split("\0");
            if (parts.length == 3) {
                user = Optional.of(parts[1]);
            }
        } catch (IllegalArgumentException e) {
            // Not base64 (e.g. "*" to cancel): nothing to learn.
        }
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
            while (phase == Phase.RELAYING && !inspecting && (frame = upstreamReader.next()) != null) {
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
                sessionLog.info("user {} logged in", user.orElse("(unknown)"));
            } else {
                user = Optional.empty();
            }
            authenticateMechanism = null;
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
        upstreamLiteral = LiteralHandling.STREAM;
        if (responseIsFetch) {
            InspectionSettings settings = runtime.policy.getPolicy().getInspection();
            String text = segment.toString(ISO_8859_1);
            FetchItem item = FetchItem.classify(text);
            if ((item == FetchItem.FULL_MESSAGE || item == FetchItem.HEADER) && settings.getProxyAction().isPresent()) {
                heldItem = item;
                if (size <= settings.getMaxMessageSize()) {
                    upstreamLiteral = LiteralHandling.INSPECT;
                } else if (settings.getOversize() == InspectionSettings.Oversize.REPLACE) {
                    upstreamLiteral = LiteralHandling.DISCARD_THEN_DENY_NOTICE;
                } else {
                    runtime.metrics.fetchNotInspected.increment();
                    sessionLog.info("message of {} bytes above the inspection limit relayed uninspected", size);
                }
            } else if (item == FetchItem.PARTIAL && settings.getPartialFetch() == InspectionSettings.PartialFetch.DENY
                && settings.getProxyAction().isPresent()) {
                upstreamLiteral = LiteralHandling.DISCARD_AS_NIL;
            }
            if (upstreamLiteral != LiteralHandling.STREAM) {
                heldSegment = FetchItem.withoutLiteral(text);
                segment.release();
                upstreamReader.expectLiteral(size);
                heldLiteral = client.alloc().compositeBuffer(Integer.MAX_VALUE);
                if (size == 0) {
                    onHeldLiteralComplete();
                }
                return;
            }
        }
        client.write(segment);
        upstreamReader.expectLiteral(size);
    }

    private void onUpstreamLiteral(ImapFrame frame) {
        switch (upstreamLiteral) {
            case STREAM:
                client.write(frame.content());
                return;
            case INSPECT:
                heldLiteral.addComponent(true, frame.content());
                break;
            case DISCARD_THEN_DENY_NOTICE:
                // Keep the start of the message: the deny notice quotes its From/Subject/Message-ID.
                if (heldLiteral.readableBytes() < DENY_NOTICE_HEADER_BYTES) {
                    heldLiteral.addComponent(true, frame.content());
                } else {
                    frame.content().release();
                }
                break;
            default:
                frame.content().release();
                break;
        }
        if (frame.isLastChunk()) {
            onHeldLiteralComplete();
        }
    }

    private void onHeldLiteralComplete() {
        switch (upstreamLiteral) {
            case INSPECT:
                inspect();
                break;
            case DISCARD_AS_NIL:
                heldLiteral.release();
                heldLiteral = null;
                // NIL takes the literal's place inside the response line: no CRLF, the rest of the line follows.
                client.write(Unpooled.copiedBuffer(heldSegment + "NIL", ISO_8859_1));
                upstreamLiteral = LiteralHandling.STREAM;
                break;
            case DISCARD_THEN_DENY_NOTICE:
                byte[] start = ByteBufUtil.getBytes(heldLiteral);
                heldLiteral.release();
                heldLiteral = null;
                runtime.metrics.fetchDenied.increment();
                deniedCount++;
                sessionLog.info("message above the inspection limit replaced by the deny notice");
                byte[] notice = DenyNotice.render(start, "message larger than the inspection limit", ZonedDateTime.now());
                writeLiteral(heldSegment, heldItem == FetchItem.HEADER ? MessageSections.headerSection(notice) : notice);
                upstreamLiteral = LiteralHandling.STREAM;
                break;
            default:
                break;
        }
    }

    private void inspect() {
        byte[] message = ByteBufUtil.getBytes(heldLiteral);
        heldLiteral.release();
        heldLiteral = null;
        inspecting = true;
        InspectionContext context = InspectionContext.builder(Protocol.IMAP, runtime.policyName())
            .user(user)
            .remoteAddress(remoteAddress)
            .sessionId(sessionId)
            .build();
        runtime.inspection.inspect(context, message, client.eventLoop(), sessionLog, result -> onInspected(message, result));
    }

    private void onInspected(byte[] original, InspectionResult result) {
        inspecting = false;
        upstreamLiteral = LiteralHandling.STREAM;
        if (phase != Phase.RELAYING) {
            return;
        }
        runtime.metrics.fetchInspected.increment();
        inspectedCount++;
        if (result.getVerdict().closesConnection()) {
            dropConnection(result.getVerdict(), result.getReason().orElse(""));
            return;
        }
        if (result.getVerdict().hasNotice()) {
            deniedCount++;
            runtime.metrics.fetchDenied.increment();
            sessionLog.info("message denied by the proxy action: {}", result.getReason().orElse(""));
        } else if (result.isModified()) {
            modifiedCount++;
            runtime.metrics.fetchModified.increment();
        }
        byte[] content = result.getContent().orElse(original);
        if (heldItem == FetchItem.HEADER && result.isModified()) {
            // A header fetch gets a header section back, also when the verdict replaced the message.
            content = MessageSections.headerSection(content);
        }
        writeLiteral(heldSegment, content);
        processUpstream();
        readUpstreamIfPossible();
    }

    /**
     * drop/block: nothing of this FETCH response has been written yet (its text before the literal is held), so the
     * untagged BYE starts a line of its own; the reason stays in the log.
     */
    private void dropConnection(Verdict verdict, String reason) {
        deniedCount++;
        runtime.metrics.fetchDenied.increment();
        sessionLog.warn("message {} by the proxy action, closing the connection: {}", verdict == Verdict.BLOCK ? "blocked" : "dropped", reason);
        // Reported before the close, while the session still knows everything about the client.
        if (verdict == Verdict.BLOCK) {
            runtime.blocker.blockPeer(client.remoteAddress(), reason);
        }
        closeWithFarewell("Connection closed by policy");
    }

    private void writeLiteral(String segmentPrefix, byte[] content) {
        client.write(Lines.encode(segmentPrefix + "{" + content.length + "}\r\n"));
        client.write(Unpooled.wrappedBuffer(content));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Flow control, timeouts, shutdown

    @Override
    protected void onClientTlsStarted() {
        processClient();
    }

    @Override
    protected boolean upstreamPaused() {
        return inspecting && upstreamReader.unconsumed().readableBytes() >= INSPECTION_READ_AHEAD;
    }

    @Override
    protected boolean upstreamBytesStayHere() {
        // Collecting or inspecting a message may overlap with the client draining the previous one, as long as what
        // waits for the client stays bounded too.
        return (upstreamLiteral == LiteralHandling.INSPECT || inspecting)
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
        sessionLog.info("connection closed: {} message(s) inspected, {} modified, {} denied",
            inspectedCount, modifiedCount, deniedCount);
    }
}
