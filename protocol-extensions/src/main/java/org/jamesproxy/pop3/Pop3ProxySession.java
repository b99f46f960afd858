package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.jamesproxy.client.PlainPhase;
import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.relay.DotStuffing;
import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.MessageCollector;
import org.jamesproxy.relay.MessageInterception;
import org.jamesproxy.relay.MessageSections;
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
final class Pop3ProxySession extends RelaySession implements Pop3CommandHandler.Context {
    private static final Logger LOGGER = LoggerFactory.getLogger(Pop3ProxySession.class);

    /** What the relay does with the lines after a multi-line "+OK". */
    private enum Body {
        NONE, STREAM, CAPA, HOLD, DISCARD
    }

    private final Pop3Proxy runtime;
    private final boolean implicitTls;
    private final InputBuffer clientIn;
    private final InputBuffer upstreamIn;
    private final SessionLog sessionLog;
    private final SaslUser user = new SaslUser();
    private final MessageInterception interception;

    private Optional<String> apopTimestamp = Optional.empty();
    private boolean authenticated;

    private Pop3Decision.Forward inFlight;
    private boolean awaitingSaslResponse;
    private Body body = Body.NONE;
    private boolean atLineStart;
    private long streamed;
    private long streamLimit;
    private List<String> capaLines;
    private String statusLine;
    private MessageCollector held;

    Pop3ProxySession(Pop3Proxy runtime, Channel client, boolean implicitTls) {
        super(client, runtime.metrics.activeConnections);
        this.runtime = runtime;
        this.implicitTls = implicitTls;
        this.clientIn = new InputBuffer(client.alloc(), runtime.policy.getPolicy().getMaxLineLength());
        this.upstreamIn = new InputBuffer(client.alloc(), runtime.policy.getMaxUpstreamLineLength());
        this.sessionLog = new SessionLog(LOGGER, "POP3-PROXY", runtime.policyName(), remoteAddress, sessionId, user::user);
        this.interception = new MessageInterception(runtime.interception, client, sessionLog, () -> phase == Phase.RELAYING);
    }

    @Override
    protected PlainPhase plainPhase() {
        return PlainPhase.pop3(runtime.helloName);
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
        connectUpstream(runtime.connector, new Pop3UpstreamPrelude(runtime.connector, new Pop3UpstreamPrelude.Outcome() {
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
        upstreamUnusable(runtime.connector, reason, runtime.metrics.upstreamFailures,
            farewell("[SYS/TEMP] The mail server is not available, try again later"));
    }

    private void onUpstreamReady(Channel channel, Optional<String> timestamp, List<String> capabilities) {
        if (phase == Phase.CLOSED) {
            channel.close();
            return;
        }
        attachUpstream(channel);
        apopTimestamp = runtime.policy.isOfferApop() ? timestamp : Optional.empty();
        sessionLog.info("upstream {} ready ({}), client leg {}", runtime.connector.describe(), TlsEngines.describe(upstream),
            TlsEngines.describe(client));
        // APOP digests are checked by the mail server against its own challenge: ours must be that one, verbatim.
        greetClient("+OK " + runtime.helloName + " POP3 proxy ready" + apopTimestamp.map(value -> " " + value).orElse(""));
        client.flush();
        processClient();
        readClientIfPossible();
        readUpstreamIfPossible();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Client → upstream

    private void processClient() {
        if (phase != Phase.RELAYING) {
            return;
        }
        try {
            ByteBuf line;
            while (phase == Phase.RELAYING && !isClientHandshaking() && (inFlight == null || awaitingSaslResponse)
                && (line = clientIn.nextLine()) != null) {
                if (awaitingSaslResponse) {
                    awaitingSaslResponse = false;
                    user.onResponse(line.toString(ISO_8859_1));
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
        Pop3Decision decision = Pop3Commands.decide(line.toString(ISO_8859_1), this);
        if (decision instanceof Pop3Decision.Forward forward) {
            inFlight = forward;
            upstream.write(line);
            return;
        }
        line.release();
        if (decision instanceof Pop3Decision.Reply reply) {
            writeClientLine(reply.line());
        } else if (decision instanceof Pop3Decision.Refuse refusal) {
            sessionLog.warn("{}", refusal.logged());
            writeClientLine(refusal.line());
        } else {
            startTls();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // What the command handlers see of the session

    @Override
    public Pop3Capabilities.ClientLeg clientLeg() {
        return new Pop3Capabilities.ClientLeg(TlsEngines.isTlsActive(client),
            runtime.policy.getPolicy().getTlsSupport().offersStartTls() && !implicitTls,
            runtime.policy.getPolicy().isAllowPlaintextAuth());
    }

    @Override
    public boolean implicitTls() {
        return implicitTls;
    }

    @Override
    public boolean authenticated() {
        return authenticated;
    }

    @Override
    public Optional<String> apopTimestamp() {
        return apopTimestamp;
    }

    @Override
    public SaslUser user() {
        return user;
    }

    // ---------------------------------------------------------------------------------------------------------
    // STLS on the client leg

    private void startTls() {
        startClientTls(runtime.serverTls.orElse(null), clientIn.unconsumed(), "STLS", "+OK Begin TLS negotiation",
            farewell("Commands pipelined after STLS are refused"), runtime.metrics.startTls, runtime.metrics.injectionRefused);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Upstream → client

    private void processUpstream() {
        if (phase != Phase.RELAYING) {
            return;
        }
        try {
            while (phase == Phase.RELAYING && !interception.isInspecting()) {
                if (inFlight == null) {
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
        if (inFlight == null || awaitingSaslResponse) {
            processClient();
            readClientIfPossible();
        }
    }

    private void onStatusLine(ByteBuf line) {
        String text = line.toString(ISO_8859_1);
        boolean ok = text.startsWith("+OK");
        if (!ok && text.startsWith("+") && inFlight.answer() == Pop3Decision.Answer.SASL) {
            // A SASL challenge (RFC 5034): the client's next line is its response, not a command.
            client.write(line);
            awaitingSaslResponse = true;
            return;
        }
        if (!ok || inFlight.answer() == Pop3Decision.Answer.SINGLE_LINE || inFlight.answer() == Pop3Decision.Answer.SASL) {
            client.write(line);
            commandCompleted(ok);
            return;
        }
        switch (inFlight.answer()) {
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
                if (!interception.inspects()) {
                    client.write(line);
                    startStreaming(Long.MAX_VALUE);
                    return;
                }
                statusLine = text.strip();
                line.release();
                held = interception.collector(-1);
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
                held.add(DotStuffing.unstuff(line));
                if (held.isOverLimit()) {
                    onOversize();
                }
                return;
            case DISCARD:
                if (terminator) {
                    line.release();
                    replaceOversizeMessage();
                    return;
                }
                held.add(DotStuffing.unstuff(line));
                return;
            default:
                line.release();
        }
    }

    private void onOversize() {
        if (interception.decide(held.received()) == MessageInterception.SizeDecision.REPLACE_WITH_NOTICE) {
            held.keepHeadOnly();
            body = Body.DISCARD;
            return;
        }
        interception.passedUninspected(held.received());
        writeClientLine(statusLine);
        byte[] stuffed = DotStuffing.stuff(takeHeld());
        // Whole lines so far: re-stuffed, without the terminator that stuff() appends; the rest streams as it is.
        client.write(Unpooled.wrappedBuffer(stuffed, 0, stuffed.length - 3));
        startStreaming(Long.MAX_VALUE);
    }

    private void replaceOversizeMessage() {
        // Rendered within the upstream loop reading this answer: it goes on by itself.
        interception.replaceOversize(takeHeld(), new MessageRenderer(WholeMessage.INSTANCE, false));
    }

    private byte[] takeHeld() {
        byte[] bytes = held.take();
        held = null;
        return bytes;
    }

    private void onMessageComplete() {
        byte[] message = takeHeld();
        if (inFlight.topLines() >= 0) {
            int headerEnd = MessageSections.headerEnd(message);
            int bodyLines = headerEnd < 0 ? 0 : countLines(message, headerEnd);
            // RFC 1939: TOP sends min(n, body lines) lines, so fewer lines than asked means the whole message.
            if (bodyLines >= inFlight.topLines()) {
                onPartialTop(message, headerEnd);
                return;
            }
        }
        interception.inspect(message, new MessageRenderer(WholeMessage.INSTANCE, true));
    }

    private void onPartialTop(byte[] message, int headerEnd) {
        if (interception.refusesPartialRetrieval()) {
            sessionLog.info("partial TOP refused by the policy");
            writeClientLine("-ERR [SYS/PERM] Partial retrieval is not permitted by the proxy policy, use RETR");
            commandCompleted(false);
            return;
        }
        // The header section is complete: inspected on its own, like an IMAP BODY[HEADER] fetch.
        byte[] header = headerEnd < 0 ? concat(message, "\r\n".getBytes(ISO_8859_1)) : Arrays.copyOf(message, headerEnd);
        interception.inspect(header, new MessageRenderer(new PartialTop(message, headerEnd, inFlight.topLines()), true));
    }

    /** What the client gets of an inspected message: all of it, or what its TOP asked for. */
    private interface Retrieval {
        /** @param content the inspected bytes, or the action's modified copy */
        byte[] allowed(byte[] content, boolean modified);

        byte[] notice(byte[] notice);
    }

    private enum WholeMessage implements Retrieval {
        INSTANCE;

        @Override
        public byte[] allowed(byte[] content, boolean modified) {
            return content;
        }

        @Override
        public byte[] notice(byte[] notice) {
            return notice;
        }
    }

    /**
     * A TOP that did not reach the end of the message, inspected by its header section: the body lines the client
     * asked for are the original's, unless the verdict replaced the message.
     */
    private record PartialTop(byte[] message, int headerEnd, int lines) implements Retrieval {
        @Override
        public byte[] allowed(byte[] content, boolean modified) {
            if (!modified) {
                return message;
            }
            byte[] bodyLines = headerEnd < 0 ? new byte[0] : Arrays.copyOfRange(message, headerEnd, message.length);
            return concat(MessageSections.headerSection(content), bodyLines);
        }

        @Override
        public byte[] notice(byte[] notice) {
            int noticeHeaderEnd = Math.max(0, MessageSections.headerEnd(notice));
            return concat(Arrays.copyOf(notice, noticeHeaderEnd), firstLines(notice, noticeHeaderEnd, lines));
        }
    }

    /**
     * A verdict as the RETR/TOP answer: the status line has not been written yet, so a drop's {@code -ERR} takes its
     * place; the size in {@code +OK n octets} is ours when the content changed.
     */
    private final class MessageRenderer implements VerdictRenderer {
        private final Retrieval answer;
        private final boolean resumeUpstream;

        /** @param resumeUpstream the verdict came back from the inspection pool: the upstream leg is read on */
        MessageRenderer(Retrieval answer, boolean resumeUpstream) {
            this.answer = answer;
            this.resumeUpstream = resumeUpstream;
        }

        @Override
        public void allowed(byte[] content, boolean modified) {
            deliver(answer.allowed(content, modified), modified ? Optional.empty() : Optional.of(statusLine));
        }

        @Override
        public void denied(byte[] notice, String reason) {
            deliver(answer.notice(notice), Optional.empty());
        }

        @Override
        public void tempfailed(byte[] notice, String reason) {
            deliver(answer.notice(notice), Optional.empty());
        }

        @Override
        public void closing() {
            closeWithFarewell("[SYS/PERM] Connection closed by policy");
        }

        private void deliver(byte[] content, Optional<String> originalStatus) {
            writeClientLine(originalStatus.orElse("+OK " + content.length + " octets"));
            client.write(Unpooled.wrappedBuffer(DotStuffing.stuff(content)));
            commandCompleted(true);
            if (resumeUpstream) {
                processUpstream();
                readUpstreamIfPossible();
            }
        }
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
        Pop3Decision.Forward done = inFlight;
        inFlight = null;
        body = Body.NONE;
        awaitingSaslResponse = false;
        capaLines = null;
        switch (done.completion()) {
            case LOGIN:
                if (ok) {
                    authenticated = true;
                    runtime.metrics.logins.increment();
                    sessionLog.info("user {} logged in", user.user().orElse("(unknown)"));
                } else {
                    user.forget();
                }
                break;
            case USER:
                if (!ok) {
                    user.forget();
                }
                break;
            case QUIT:
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
        return inFlight != null && !awaitingSaslResponse;
    }

    @Override
    protected boolean upstreamPaused() {
        return interception.isInspecting();
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
        // The mail server closes after its answer to QUIT.
        if (inFlight != null && inFlight.completion() == Pop3Decision.Completion.QUIT) {
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
        sessionLog.info("connection closed: {}", interception.summary());
    }
}
