package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.jamesproxy.relay.DotStuffing;
import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.MessageSections;
import org.jamesproxy.relay.PlainDialogue;
import org.jamesproxy.relay.RelaySession;
import org.jamesproxy.relay.SessionLog;
import org.jamesproxy.tls.TlsEngines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * One proxied POP3 connection: the client leg (accepted by a {@link ProxyListener}) and the upstream leg, both on
 * the client channel's event loop, so the state below needs no locking.
 * <p>
 * Commands go to the mail server one at a time: the next one is taken from the client's buffer only once the
 * previous answer was relayed. That is what makes PIPELINING (RFC 2449) honest whatever the mail server supports,
 * and it is also how the relay knows how each answer is framed (single line, or multi-line up to ".CRLF").
 * Message answers (RETR, and TOP when it returned the whole message) go through the proxy action when the policy
 * has one; everything else streams through. Reads follow writes (AUTO_READ off on both legs).
 */
final class Pop3ProxySession extends RelaySession {
    private static final Logger LOGGER = LoggerFactory.getLogger(Pop3ProxySession.class);
    private static final int DENY_NOTICE_HEADER_BYTES = 64 * 1024;

    /** How the mail server frames the "+OK" answer of a command. */
    private enum Answer {
        SINGLE_LINE, LISTING, CAPA, MESSAGE
    }

    /** What the relay does with the lines after a multi-line "+OK". */
    private enum Body {
        NONE, STREAM, CAPA, HOLD, DISCARD
    }

    private static final class Command {
        final String name;
        final Answer answer;
        /** TOP's line count; -1 for every other command. */
        final int topLines;

        Command(String name, Answer answer, int topLines) {
            this.name = name;
            this.answer = answer;
            this.topLines = topLines;
        }
    }

    private final Pop3ProxyRuntime runtime;
    private final boolean implicitTls;
    private final InputBuffer clientIn;
    private final InputBuffer upstreamIn;
    private final SessionLog sessionLog;

    private Optional<String> apopTimestamp = Optional.empty();
    private boolean authenticated;
    private Optional<String> user = Optional.empty();
    private boolean quitRequested;

    private Command current;
    private boolean awaitingSaslResponse;
    private String saslMechanism;
    private Body body = Body.NONE;
    private boolean atLineStart;
    private long streamed;
    private long streamLimit;
    private List<String> capaLines;
    private String statusLine;
    private ByteBuf held;
    private boolean inspecting;
    private int inspectedCount;
    private int modifiedCount;
    private int deniedCount;

    Pop3ProxySession(Pop3ProxyRuntime runtime, Channel client, boolean implicitTls) {
        super(client, runtime.route, runtime.metrics.activeConnections);
        this.runtime = runtime;
        this.implicitTls = implicitTls;
        this.clientIn = new InputBuffer(client.alloc(), runtime.policy.getPolicy().getMaxLineLength());
        this.upstreamIn = new InputBuffer(client.alloc(), runtime.policy.getMaxUpstreamLineLength());
        this.sessionLog = new SessionLog(LOGGER, "POP3-PROXY", runtime.policyName(), remoteAddress, sessionId, () -> user);
    }

    @Override
    protected PlainDialogue plainDialogue() {
        return new Pop3PlainDialogue(runtime.helloName);
    }

    @Override
    protected SessionLog log() {
        return sessionLog;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Connection set-up

    @Override
    protected void onClientConnected() {
        connectionAccepted(runtime.metrics.connections, implicitTls);
        InputBuffer preludeReader = new InputBuffer(client.alloc(), runtime.policy.getMaxUpstreamLineLength());
        connectUpstream(new Pop3UpstreamPrelude(runtime.route.connector(), new Pop3UpstreamPrelude.Outcome() {
            @Override
            public void ready(Channel channel, Optional<String> timestamp, List<String> capabilities) {
                onUpstreamReady(channel, timestamp, capabilities);
            }

            @Override
            public void failed(String reason) {
                onUpstreamFailed(reason);
            }
        }, preludeReader, runtime.policy.getMaxListingSize()));
    }

    private void onUpstreamFailed(String reason) {
        upstreamUnusable(reason, runtime.metrics.upstreamFailures,
            farewell("[SYS/TEMP] The mail server is not available, try again later"));
    }

    private void onUpstreamReady(Channel channel, Optional<String> timestamp, List<String> capabilities) {
        if (phase == Phase.CLOSED) {
            channel.close();
            return;
        }
        attachUpstream(channel);
        apopTimestamp = runtime.policy.isOfferApop() ? timestamp : Optional.empty();
        sessionLog.info("upstream {} ready ({}), client leg {}", runtime.route.connector().describe(), TlsEngines.describe(upstream),
            TlsEngines.describe(client));
        // APOP digests are checked by the mail server against its own challenge: ours must be that one, verbatim.
        greetClient("+OK " + runtime.helloName + " POP3 proxy ready" + apopTimestamp.map(value -> " " + value).orElse(""));
        client.flush();
        processClient();
        readClientIfPossible();
        readUpstreamIfPossible();
    }

    private Pop3Capabilities.ClientLeg clientLeg() {
        return new Pop3Capabilities.ClientLeg(TlsEngines.isTlsActive(client),
            runtime.policy.getPolicy().getTlsSupport().offersStartTls() && !implicitTls,
            runtime.policy.getPolicy().isAllowPlaintextAuth());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Client → upstream

    private void processClient() {
        if (phase != Phase.RELAYING) {
            return;
        }
        try {
            ByteBuf line;
            while (phase == Phase.RELAYING && !isClientHandshaking() && (current == null || awaitingSaslResponse)
                && (line = clientIn.nextLine()) != null) {
                if (awaitingSaslResponse) {
                    awaitingSaslResponse = false;
                    captureSaslUser(line.toString(ISO_8859_1));
                    upstream.write(line);
                } else {
                    onCommand(line);
                }
            }
        } catch (InputBuffer.LineTooLongException e) {
            sessionLog.warn("client line too long: {}", e.getMessage());
            closeWithFarewell("[SYS/PERM] Command line too long");
            return;
        }
        if (phase == Phase.RELAYING) {
            upstream.flush();
            client.flush();
        }
    }

    private void onCommand(ByteBuf line) {
        String text = line.toString(ISO_8859_1).trim();
        String[] words = text.split(" ", 2);
        String name = words[0].toUpperCase(Locale.US);
        String arguments = words.length > 1 ? words[1].trim() : "";
        switch (name) {
            case "STLS":
                line.release();
                onStls();
                return;
            case "CAPA":
                forward(line, name, Answer.CAPA, -1);
                return;
            case "USER":
            case "PASS":
                if (!clientLeg().mayAuthenticateInClear()) {
                    refuseCleartextCredentials(line, name);
                    return;
                }
                if (name.equals("USER")) {
                    user = arguments.isEmpty() ? Optional.empty() : Optional.of(arguments);
                }
                forward(line, name, Answer.SINGLE_LINE, -1);
                return;
            case "APOP":
                if (apopTimestamp.isEmpty()) {
                    reject(line, "-ERR APOP is not available");
                    return;
                }
                user = Optional.of(arguments.split(" ", 2)[0]).filter(value -> !value.isEmpty());
                forward(line, name, Answer.SINGLE_LINE, -1);
                return;
            case "AUTH":
                onAuth(line, arguments);
                return;
            case "STAT":
            case "DELE":
            case "RSET":
            case "NOOP":
                forward(line, name, Answer.SINGLE_LINE, -1);
                return;
            case "LIST":
            case "UIDL":
                forward(line, name, arguments.isEmpty() ? Answer.LISTING : Answer.SINGLE_LINE, -1);
                return;
            case "RETR":
                forward(line, name, Answer.MESSAGE, -1);
                return;
            case "TOP":
                forward(line, name, Answer.MESSAGE, topLines(arguments));
                return;
            case "QUIT":
                quitRequested = true;
                forward(line, name, Answer.SINGLE_LINE, -1);
                return;
            case "":
                reject(line, "-ERR Empty command");
                return;
            default:
                // Unknown commands might answer multi-line: relaying them would desynchronise the framing.
                reject(line, "-ERR Command not available through this proxy");
        }
    }

    private void onAuth(ByteBuf line, String arguments) {
        if (arguments.isEmpty()) {
            // The pre-RFC 5034 form lists the mechanisms, multi-line.
            forward(line, "AUTH", Answer.LISTING, -1);
            return;
        }
        String[] parts = arguments.split(" ", 2);
        String mechanism = parts[0].toUpperCase(Locale.US);
        if (Pop3Capabilities.CLEARTEXT_MECHANISMS.contains(mechanism) && !clientLeg().mayAuthenticateInClear()) {
            refuseCleartextCredentials(line, "AUTH " + mechanism);
            return;
        }
        saslMechanism = mechanism;
        if (parts.length > 1) {
            captureSaslUser(parts[1]);
        }
        forward(line, "AUTH", Answer.SINGLE_LINE, -1);
    }

    private void refuseCleartextCredentials(ByteBuf line, String command) {
        sessionLog.warn("refused {} on a plain connection before STLS", command);
        reject(line, "-ERR Use STLS before sending credentials on this connection");
    }

    private static int topLines(String arguments) {
        String[] words = arguments.split(" ");
        try {
            return words.length > 1 ? Math.max(0, Integer.parseInt(words[1])) : 0;
        } catch (NumberFormatException e) {
            // The mail server will refuse it; counted as a partial TOP if it does not.
            return 0;
        }
    }

    private void forward(ByteBuf line, String name, Answer answer, int topLines) {
        current = new Command(name, answer, topLines);
        upstream.write(line);
    }

    private void reject(ByteBuf line, String response) {
        line.release();
        writeClientLine(response);
    }

    private void captureSaslUser(String response) {
        if (!"PLAIN".equals(saslMechanism) || user.isPresent()) {
            return;
        }
        try {
            String[] parts = new String(Base64.getDecoder().decode(response.trim()), UTF_8).split("\0");
            if (parts.length == 3) {
                user = Optional.of(parts[1]);
            }
        } catch (IllegalArgumentException e) {
            // Not base64 (e.g. "*" to cancel): nothing to learn.
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // STLS on the client leg

    private void onStls() {
        if (implicitTls || TlsEngines.isTlsActive(client)) {
            writeClientLine("-ERR TLS is already active");
        } else if (!runtime.policy.getPolicy().getTlsSupport().offersStartTls()) {
            writeClientLine("-ERR STLS is not available");
        } else if (authenticated) {
            writeClientLine("-ERR STLS is only permitted before authentication");
        } else {
            startTls();
        }
    }

    private void startTls() {
        startClientTls(runtime.serverTls.orElse(null), clientIn.unconsumed(), "STLS", "+OK Begin TLS negotiation",
            farewell("Commands pipelined after STLS are refused"), runtime.metrics.stls, runtime.metrics.injectionRefused);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Upstream → client

    private void processUpstream() {
        if (phase != Phase.RELAYING) {
            return;
        }
        try {
            while (phase == Phase.RELAYING && !inspecting) {
                if (current == null) {
                    if (upstreamIn.hasBufferedBytes()) {
                        sessionLog.warn("the mail server sent data no command asked for");
                        closeWithFarewell("[SYS/TEMP] The mail server sent an answer the proxy cannot relay");
                        return;
                    }
                    break;
                }
                if (body == Body.STREAM) {
                    if (!streamBody()) {
                        break;
                    }
                    commandCompleted(true);
                    continue;
                }
                ByteBuf line = upstreamIn.nextLine();
                if (line == null) {
                    break;
                }
                if (body == Body.NONE) {
                    onStatusLine(line);
                } else {
                    onBodyLine(line);
                }
            }
        } catch (InputBuffer.LineTooLongException e) {
            sessionLog.warn("upstream line too long: {}", e.getMessage());
            closeWithFarewell("[SYS/TEMP] The mail server sent a line the proxy cannot relay");
            return;
        } catch (ListingTooLargeException e) {
            sessionLog.warn("listing larger than {} bytes", runtime.policy.getMaxListingSize());
            closeWithFarewell("[SYS/TEMP] The mail server sent an answer the proxy cannot relay");
            return;
        }
        if (phase != Phase.RELAYING) {
            return;
        }
        client.flush();
        if (current == null || awaitingSaslResponse) {
            processClient();
            readClientIfPossible();
        }
    }

    private void onStatusLine(ByteBuf line) {
        String text = line.toString(ISO_8859_1);
        boolean ok = text.startsWith("+OK");
        if (!ok && text.startsWith("+") && current.name.equals("AUTH") && current.answer == Answer.SINGLE_LINE) {
            // A SASL challenge (RFC 5034): the client's next line is its response, not a command.
            client.write(line);
            awaitingSaslResponse = true;
            return;
        }
        if (!ok || current.answer == Answer.SINGLE_LINE) {
            client.write(line);
            commandCompleted(ok);
            return;
        }
        switch (current.answer) {
            case CAPA:
                line.release();
                capaLines = new ArrayList<>();
                streamed = 0;
                body = Body.CAPA;
                return;
            case LISTING:
                client.write(line);
                startStreaming(runtime.policy.getMaxListingSize());
                return;
            default:
                if (!runtime.inspects) {
                    client.write(line);
                    startStreaming(Long.MAX_VALUE);
                    return;
                }
                statusLine = text.strip();
                line.release();
                held = client.alloc().heapBuffer();
                body = Body.HOLD;
        }
    }

    private void startStreaming(long limit) {
        body = Body.STREAM;
        atLineStart = true;
        streamed = 0;
        streamLimit = limit;
    }

    /**
     * Relays multi-line data as it is, in as large slices as were read, up to and including ".CRLF".
     *
     * @return true once the terminator was relayed
     */
    private boolean streamBody() {
        ByteBuf buffer = upstreamIn.unconsumed();
        int start = buffer.readerIndex();
        int end = buffer.writerIndex();
        int position = start;
        boolean terminated = false;
        while (position < end) {
            if (atLineStart && buffer.getByte(position) == '.') {
                int available = end - position;
                if (available >= 3 && buffer.getByte(position + 1) == '\r' && buffer.getByte(position + 2) == '\n') {
                    position += 3;
                    terminated = true;
                    break;
                }
                if (available == 1 || (available == 2 && buffer.getByte(position + 1) == '\r')) {
                    // Maybe the terminator, split across reads: wait for the rest.
                    break;
                }
            }
            int lf = buffer.indexOf(position, end, (byte) '\n');
            if (lf < 0) {
                position = end;
                atLineStart = false;
                break;
            }
            position = lf + 1;
            atLineStart = true;
        }
        int length = position - start;
        if (length > 0) {
            streamed += length;
            client.write(upstreamIn.nextBytes(length));
        }
        if (streamed > streamLimit) {
            throw new ListingTooLargeException();
        }
        return terminated;
    }

    /** A LIST/UIDL answer beyond the policy's bound: the session cannot go on in step. */
    private static final class ListingTooLargeException extends RuntimeException {
    }

    private void onBodyLine(ByteBuf line) {
        boolean terminator = DotStuffing.isTerminator(line);
        switch (body) {
            case CAPA:
                streamed += line.readableBytes();
                if (streamed > runtime.policy.getMaxListingSize()) {
                    line.release();
                    closeWithFarewell("[SYS/TEMP] The mail server sent an answer the proxy cannot relay");
                    return;
                }
                if (terminator) {
                    line.release();
                    writeClientLine("+OK Capability list follows");
                    Pop3Capabilities.rewrite(capaLines, clientLeg()).forEach(this::writeClientLine);
                    writeClientLine(".");
                    commandCompleted(true);
                    return;
                }
                String capability = DotStuffing.unstuff(line).toString(ISO_8859_1).trim();
                line.release();
                capaLines.add(capability);
                return;
            case HOLD:
                if (terminator) {
                    line.release();
                    onMessageComplete();
                    return;
                }
                held.writeBytes(DotStuffing.unstuff(line));
                line.release();
                if (held.readableBytes() > runtime.policy.getPolicy().getInspection().getMaxMessageSize()) {
                    onOversize();
                }
                return;
            case DISCARD:
                if (terminator) {
                    line.release();
                    replaceOversizeMessage();
                    return;
                }
                // Keep the start of the message: the deny notice quotes its From/Subject/Message-ID.
                if (held.readableBytes() < DENY_NOTICE_HEADER_BYTES) {
                    held.writeBytes(DotStuffing.unstuff(line));
                }
                line.release();
                return;
            default:
                line.release();
        }
    }

    private void onOversize() {
        InspectionSettings settings = runtime.policy.getPolicy().getInspection();
        if (settings.getOversize() == InspectionSettings.Oversize.REPLACE) {
            held.writerIndex(Math.min(held.writerIndex(), held.readerIndex() + DENY_NOTICE_HEADER_BYTES));
            body = Body.DISCARD;
            return;
        }
        runtime.metrics.retrNotInspected.increment();
        sessionLog.info("message above the inspection limit of {} bytes relayed uninspected", settings.getMaxMessageSize());
        writeClientLine(statusLine);
        byte[] stuffed = DotStuffing.stuff(takeHeld());
        // Whole lines so far: re-stuffed, without the terminator that stuff() appends; the rest streams as it is.
        client.write(Unpooled.wrappedBuffer(stuffed, 0, stuffed.length - 3));
        startStreaming(Long.MAX_VALUE);
    }

    private void replaceOversizeMessage() {
        byte[] start = takeHeld();
        deniedCount++;
        runtime.metrics.retrDenied.increment();
        sessionLog.info("message above the inspection limit replaced by the deny notice");
        writeMessage(DenyNotice.render(start, "message larger than the inspection limit", ZonedDateTime.now()), Optional.empty());
        commandCompleted(true);
    }

    private byte[] takeHeld() {
        byte[] bytes = ByteBufUtil.getBytes(held);
        held.release();
        held = null;
        return bytes;
    }

    private void onMessageComplete() {
        byte[] message = takeHeld();
        if (current.name.equals("TOP")) {
            int headerEnd = MessageSections.headerEnd(message);
            int bodyLines = headerEnd < 0 ? 0 : countLines(message, headerEnd);
            // RFC 1939: TOP sends min(n, body lines) lines, so fewer lines than asked means the whole message.
            if (bodyLines >= current.topLines) {
                onPartialTop(message, headerEnd);
                return;
            }
        }
        inspect(message, message, result -> result.getContent().orElse(message));
    }

    private void onPartialTop(byte[] message, int headerEnd) {
        if (runtime.policy.getPolicy().getInspection().getPartialFetch() == InspectionSettings.PartialFetch.DENY) {
            sessionLog.info("partial TOP refused by the policy");
            writeClientLine("-ERR [SYS/PERM] Partial retrieval is not permitted by the proxy policy, use RETR");
            commandCompleted(false);
            return;
        }
        // The header section is complete: inspected on its own, like an IMAP BODY[HEADER] fetch. The body lines
        // the client asked for are the original's, unless the verdict replaced the message.
        byte[] header = headerEnd < 0 ? concat(message, "\r\n".getBytes(ISO_8859_1)) : Arrays.copyOf(message, headerEnd);
        byte[] bodyLines = headerEnd < 0 ? new byte[0] : Arrays.copyOfRange(message, headerEnd, message.length);
        int lines = current.topLines;
        inspect(header, message, result -> {
            if (result.getContent().isEmpty()) {
                return message;
            }
            byte[] content = result.getContent().get();
            if (result.getVerdict().hasNotice()) {
                int noticeHeaderEnd = Math.max(0, MessageSections.headerEnd(content));
                return concat(Arrays.copyOf(content, noticeHeaderEnd), firstLines(content, noticeHeaderEnd, lines));
            }
            return concat(MessageSections.headerSection(content), bodyLines);
        });
    }

    private void inspect(byte[] inspected, byte[] original, java.util.function.Function<InspectionResult, byte[]> output) {
        inspecting = true;
        InspectionContext context = InspectionContext.builder(Protocol.POP3, runtime.policyName())
            .user(user)
            .remoteAddress(remoteAddress)
            .sessionId(sessionId)
            .build();
        runtime.inspection.inspect(context, inspected, client.eventLoop(), sessionLog, result -> {
            inspecting = false;
            if (phase != Phase.RELAYING) {
                return;
            }
            runtime.metrics.retrInspected.increment();
            inspectedCount++;
            if (result.getVerdict().closesConnection()) {
                dropConnection(result.getVerdict(), result.getReason().orElse(""));
                return;
            }
            if (result.getVerdict().hasNotice()) {
                deniedCount++;
                runtime.metrics.retrDenied.increment();
                sessionLog.info("message denied by the proxy action: {}", result.getReason().orElse(""));
            } else if (result.isModified()) {
                modifiedCount++;
                runtime.metrics.retrModified.increment();
            }
            byte[] content = output.apply(result);
            writeMessage(content, result.isModified() ? Optional.empty() : Optional.of(statusLine));
            commandCompleted(true);
            processUpstream();
            readUpstreamIfPossible();
        });
    }

    /**
     * drop/block: the RETR/TOP status line has not been written yet, so the client reads an -ERR in its place, then
     * the connection closes; the reason stays in the log.
     */
    private void dropConnection(Verdict verdict, String reason) {
        deniedCount++;
        runtime.metrics.retrDenied.increment();
        sessionLog.warn("message {} by the proxy action, closing the connection: {}", verdict == Verdict.BLOCK ? "blocked" : "dropped", reason);
        // Reported before the close, while the session still knows everything about the client.
        if (verdict == Verdict.BLOCK) {
            runtime.blocker.blockPeer(client.remoteAddress(), reason);
        }
        closeWithFarewell("[SYS/PERM] Connection closed by policy");
    }

    /** "+OK" and the message as multi-line data; the status line's size is ours when the content changed. */
    private void writeMessage(byte[] content, Optional<String> originalStatus) {
        writeClientLine(originalStatus.orElse("+OK " + content.length + " octets"));
        client.write(Unpooled.wrappedBuffer(DotStuffing.stuff(content)));
    }

    private static int countLines(byte[] message, int from) {
        int lines = 0;
        for (int i = from; i < message.length; i++) {
            if (message[i] == '\n') {
                lines++;
            }
        }
        return message.length > from && message[message.length - 1] != '\n' ? lines + 1 : lines;
    }

    private static byte[] firstLines(byte[] content, int from, int count) {
        int position = from;
        for (int line = 0; line < count && position < content.length; line++) {
            int lf = position;
            while (lf < content.length && content[lf] != '\n') {
                lf++;
            }
            position = Math.min(content.length, lf + 1);
        }
        return Arrays.copyOfRange(content, from, position);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(first.length + second.length);
        out.writeBytes(first);
        out.writeBytes(second);
        return out.toByteArray();
    }

    private void commandCompleted(boolean ok) {
        Command done = current;
        current = null;
        body = Body.NONE;
        awaitingSaslResponse = false;
        capaLines = null;
        switch (done.name) {
            case "PASS":
            case "APOP":
            case "AUTH":
                if (done.answer == Answer.LISTING) {
                    break;
                }
                saslMechanism = null;
                if (ok) {
                    authenticated = true;
                    runtime.metrics.logins.increment();
                    sessionLog.info("user {} logged in", user.orElse("(unknown)"));
                } else {
                    user = Optional.empty();
                }
                break;
            case "USER":
                if (!ok) {
                    user = Optional.empty();
                }
                break;
            case "QUIT":
                closeAfterFlush();
                break;
            default:
                break;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Flow control, shutdown

    @Override
    protected void onClientTlsStarted() {
        processClient();
    }

    @Override
    protected boolean clientPaused() {
        // One command at a time: the next is taken once the previous answer was relayed (a SASL exchange excepted).
        return current != null && !awaitingSaslResponse;
    }

    @Override
    protected boolean upstreamPaused() {
        return inspecting;
    }

    @Override
    protected void onClientBytes(ByteBuf bytes) {
        clientIn.add(bytes);
        if (tooManyPipelinedCommands()) {
            sessionLog.warn("more than {} pipelined commands", runtime.policy.getMaxPipelinedCommands());
            closeWithFarewell("[SYS/PERM] Too many pipelined commands");
            return;
        }
        processClient();
    }

    @Override
    protected void onUpstreamBytes(ByteBuf bytes) {
        upstreamIn.add(bytes);
        processUpstream();
    }

    @Override
    protected String farewell(String reason) {
        return "-ERR " + reason;
    }

    @Override
    protected void onIdleTimeout() {
        closeWithFarewell("Autologout; idle for too long");
    }

    @Override
    protected void onUpstreamClosed() {
        if (quitRequested) {
            closeAfterFlush();
        } else {
            sessionLog.warn("the mail server closed the connection");
            closeWithFarewell("[SYS/TEMP] Connection to the mail server lost");
        }
    }

    private boolean tooManyPipelinedCommands() {
        int[] lines = {0};
        clientIn.unconsumed().forEachByte(value -> {
            if (value == '\n') {
                lines[0]++;
            }
            return true;
        });
        return lines[0] > runtime.policy.getMaxPipelinedCommands();
    }

    @Override
    protected void releaseProtocolResources() {
        clientIn.release();
        upstreamIn.release();
        if (held != null) {
            held.release();
            held = null;
        }
        sessionLog.info("connection closed: {} message(s) inspected, {} modified, {} denied",
            inspectedCount, modifiedCount, deniedCount);
    }
}
