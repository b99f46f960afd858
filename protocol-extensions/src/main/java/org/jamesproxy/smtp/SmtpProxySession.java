package org.jamesproxy.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.jamesproxy.config.SmtpPolicy;
import org.jamesproxy.relay.DotStuffing;
import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.MessageCollector;
import org.jamesproxy.relay.MessageInterception;
import org.jamesproxy.relay.PlainDialogue;
import org.jamesproxy.relay.RelaySession;
import org.jamesproxy.relay.SaslUser;
import org.jamesproxy.relay.SessionLog;
import org.jamesproxy.relay.VerdictRenderer;
import org.jamesproxy.tls.TlsEngines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * One proxied SMTP connection, relayed inline: the proxy greets the client, then forwards each command to the
 * upstream in step and hands the upstream's reply back unchanged (EHLO excepted: its extensions are filtered).
 * Both legs run on the client channel's event loop, so nothing here needs locking.
 * <p>
 * No mail is lost: a message is read completely (dot-unstuffed, bounded by maxMessageSize), inspected, and only
 * then offered to the upstream (DATA, re-stuffed message, final dot); the client's 250 is the upstream's 250 to
 * the final dot, nothing else. Whatever goes wrong before that gives the client a 4xx/5xx, and a client that
 * disconnects mid-DATA never makes the upstream see a final dot.
 * <p>
 * Replies are delivered in command order (PIPELINING): commands answered by the proxy itself wait in the same
 * queue as those waiting for the upstream. EHLO, HELO, AUTH, STARTTLS, DATA and QUIT are handled only once every
 * earlier reply is out, and nothing after them is read until they are done.
 */
final class SmtpProxySession extends RelaySession {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpProxySession.class);
    private static final int MAX_UPSTREAM_LINE = 64 * 1024;
    private static final int MAX_PIPELINED_COMMANDS = 100;
    private static final ImmutableSet<String> BARRIERS = ImmutableSet.of("EHLO", "HELO", "AUTH", "STARTTLS", "DATA", "QUIT");
    private static final ImmutableSet<String> NOT_IMPLEMENTED = ImmutableSet.of("BDAT", "EXPN", "ETRN", "TURN", "ATRN", "BURL",
        "XCLIENT", "XFORWARD", "SEND", "SOML", "SAML");

    private enum ClientMode {
        COMMAND, AUTH_RESPONSE, DATA
    }

    private enum MailState {
        NONE, PENDING, ACCEPTED
    }

    /** Where a message stands between the client's final dot and the client's reply. */
    private enum Delivery {
        NONE, INSPECTING, DATA_SENT, MESSAGE_SENT
    }

    private enum Kind {
        LOCAL, EHLO, HELO, MAIL, RCPT, RSET, PASS, AUTH, QUIT, DATA, MESSAGE, INTERNAL_RSET
    }

    /** A command awaiting its reply, in client order. LOCAL ones carry the proxy's own reply. */
    private static final class Pending {
        final Kind kind;
        final String reply;
        final int generation;
        final Optional<SmtpPath> path;

        Pending(Kind kind, String reply, int generation, Optional<SmtpPath> path) {
            this.kind = kind;
            this.reply = reply;
            this.generation = generation;
            this.path = path;
        }
    }

    private final SmtpProxy runtime;
    private final SmtpPolicy policy;
    private final boolean implicitTls;
    private final InputBuffer clientReader;
    private final SmtpReply.Reader upstreamReader;
    private final SessionLog sessionLog;
    private final SaslUser user = new SaslUser();
    private final MessageInterception interception;

    private List<String> upstreamKeywords = ImmutableList.of();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private String heldCommand;
    private boolean barrierInFlight;
    private boolean quitRequested;

    // Session state, as the client sees it
    private ClientMode clientMode = ClientMode.COMMAND;
    private boolean greeted;
    private boolean authenticated;

    // Transaction state; the generation makes replies to commands sent before an RSET/EHLO harmless
    private int generation;
    private MailState mailState = MailState.NONE;
    private MaybeSender sender = MaybeSender.nullSender();
    private final List<MailAddress> recipients = new ArrayList<>();
    private int recipientsForwarded;

    // DATA
    private MessageCollector message;
    private boolean previousLineEndedCrlf;
    private boolean badLineEnding;
    private Delivery delivery = Delivery.NONE;
    private byte[] outgoing;
    private int relayedCount;
    private int refusedCount;

    SmtpProxySession(SmtpProxy runtime, Channel client, boolean implicitTls) {
        super(client, runtime.route, runtime.metrics.activeConnections);
        this.runtime = runtime;
        this.policy = runtime.policy;
        this.implicitTls = implicitTls;
        this.clientReader = new InputBuffer(client.alloc(), policy.getPolicy().getMaxLineLength());
        this.upstreamReader = new SmtpReply.Reader(new InputBuffer(client.alloc(), MAX_UPSTREAM_LINE));
        this.sessionLog = new SessionLog(LOGGER, "SMTP-PROXY", runtime.policyName(), remoteAddress, sessionId, user::user);
        this.interception = new MessageInterception(runtime.interception, client, sessionLog, () -> phase == Phase.RELAYING)
            .withDetails(context -> context.sender(sender).recipients(recipients));
    }

    @Override
    protected PlainDialogue plainDialogue() {
        return new SmtpPlainDialogue(runtime.helloName);
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
        InputBuffer preludeBuffer = new InputBuffer(client.alloc(), MAX_UPSTREAM_LINE);
        connectUpstream(new SmtpUpstreamPrelude(runtime.route.connector(), policy.isOpportunisticStartTls(),
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
            }, preludeBuffer));
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
        upstreamKeywords = keywords;
        if (plaintextFallback) {
            runtime.upstreamPlaintext.increment();
            sessionLog.warn("opportunistic STARTTLS toward {}: {}; relaying IN CLEAR", runtime.route.connector().describe(), fallbackReason);
        }
        sessionLog.info("upstream {} ready ({}), client leg {}", runtime.route.connector().describe(), TlsEngines.describe(upstream),
            TlsEngines.describe(client));
        greetClient("220 " + runtime.helloName + " ESMTP james-mail-proxy ready");
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
        return isClientHandshaking() || heldCommand != null || barrierInFlight || delivery != Delivery.NONE
            || pending.size() >= MAX_PIPELINED_COMMANDS
            // Without PIPELINING upstream, one command at a time.
            || (!pending.isEmpty() && !SmtpExtensions.has(upstreamKeywords, "PIPELINING"));
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
                        onDataLine(line);
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
            onAuthResponse(text);
            return;
        }
        String verb = verb(text);
        if (BARRIERS.contains(verb) && !pending.isEmpty()) {
            // Answer only once the replies before it are out, so that ordering and state stay exact.
            heldCommand = text;
            return;
        }
        execute(text, verb);
    }

    private static String verb(String text) {
        int space = text.indexOf(' ');
        return (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.US);
    }

    private static String argument(String text) {
        int space = text.indexOf(' ');
        return space < 0 ? "" : text.substring(space + 1).trim();
    }

    private void execute(String text, String verb) {
        String argument = argument(text);
        switch (verb) {
            case "EHLO":
            case "HELO":
                if (argument.isEmpty()) {
                    localReply("501 5.5.4 Syntax: " + verb + " hostname");
                    return;
                }
                newTransaction();
                forwardBarrier(verb.equals("EHLO") ? Kind.EHLO : Kind.HELO, text);
                return;
            case "STARTTLS":
                onStartTls(argument);
                return;
            case "AUTH":
                onAuth(text, argument);
                return;
            case "MAIL":
                onMail(text, argument);
                return;
            case "RCPT":
                onRcpt(text, argument);
                return;
            case "DATA":
                onData(argument);
                return;
            case "RSET":
                newTransaction();
                forward(Kind.RSET, text, Optional.empty());
                return;
            case "NOOP":
            case "VRFY":
            case "HELP":
                forward(Kind.PASS, text, Optional.empty());
                return;
            case "QUIT":
                quitRequested = true;
                forwardBarrier(Kind.QUIT, text);
                return;
            case "":
                localReply("500 5.5.2 Syntax error: empty command");
                return;
            default:
                localReply(NOT_IMPLEMENTED.contains(verb)
                    ? "502 5.5.1 " + verb + " is not available through this proxy"
                    : "500 5.5.2 Command not recognized");
        }
    }

    private void onAuth(String text, String argument) {
        if (authenticated) {
            localReply("503 5.5.1 Already authenticated");
        } else if (!authAllowed()) {
            sessionLog.warn("refused AUTH on a plain connection before STARTTLS");
            localReply("530 5.7.0 Must issue a STARTTLS command first");
        } else if (mailState != MailState.NONE) {
            localReply("503 5.5.1 AUTH is not permitted during a mail transaction");
        } else if (argument.isEmpty()) {
            localReply("501 5.5.4 Syntax: AUTH mechanism [initial-response]");
        } else {
            String[] words = argument.split("\\s+", 2);
            user.start(words[0], words.length > 1 ? Optional.of(words[1]) : Optional.empty());
            forwardBarrier(Kind.AUTH, text);
        }
    }

    private void onAuthResponse(String text) {
        clientMode = ClientMode.COMMAND;
        user.onResponse(text);
        forwardBarrier(Kind.AUTH, text);
    }

    private boolean authAllowed() {
        return implicitTls || TlsEngines.isTlsActive(client) || policy.getPolicy().isAllowPlaintextAuth();
    }

    private boolean offersStartTls() {
        return !implicitTls && !TlsEngines.isTlsActive(client) && policy.getPolicy().getTlsSupport().offersStartTls()
            && (runtime.serverTls.isPresent() || presentsMintedCertificates());
    }

    private void onMail(String text, String argument) {
        if (policy.isRequireHelo() && !greeted) {
            localReply("503 5.5.1 Send HELO/EHLO first");
            return;
        }
        if (mailState != MailState.NONE) {
            localReply("503 5.5.1 Sender already specified");
            return;
        }
        Optional<SmtpPath> path = SmtpPath.parse(argument, "FROM");
        if (path.isEmpty()) {
            localReply("501 5.5.4 Syntax: MAIL FROM:<address>");
            return;
        }
        if (policy.isBlockSourceRoutes() && path.get().isSourceRouted()) {
            policyRejection("source-routed sender " + path.get().mailbox());
            localReply("553 5.7.1 Source-routed addresses are not accepted");
            return;
        }
        Optional<Long> declaredSize = path.get().parameter("SIZE").flatMap(SmtpProxySession::parseLong);
        if (declaredSize.isPresent() && declaredSize.get() > policy.getMaxMessageSize()) {
            localReply("552 5.3.4 Message size exceeds fixed maximum message size");
            return;
        }
        if (path.get().parameter("BODY").map(body -> body.equalsIgnoreCase("BINARYMIME")).orElse(false)) {
            localReply("555 5.5.4 BODY=BINARYMIME is not supported");
            return;
        }
        // The null sender (bounces) is exempt from allow patterns: refusing bounces breaks mail; deny patterns still apply.
        boolean permitted = path.get().isNull()
            ? !policy.getMailFrom().denies("")
            : policy.getMailFrom().permits(path.get().mailbox());
        if (!permitted) {
            policyRejection("sender " + path.get().mailbox());
            localReply("550 5.7.1 Sender address rejected by policy");
            return;
        }
        mailState = MailState.PENDING;
        forward(Kind.MAIL, text, path);
    }

    private void onRcpt(String text, String argument) {
        if (mailState == MailState.NONE) {
            localReply("503 5.5.1 Need MAIL before RCPT");
            return;
        }
        Optional<SmtpPath> path = SmtpPath.parse(argument, "TO");
        if (path.isEmpty() || path.get().isNull()) {
            localReply("501 5.5.4 Syntax: RCPT TO:<address>");
            return;
        }
        if (policy.isBlockSourceRoutes() && path.get().isSourceRouted()) {
            policyRejection("source-routed recipient " + path.get().mailbox());
            localReply("553 5.7.1 Source-routed addresses are not accepted");
            return;
        }
        if (!policy.getRcptTo().permits(path.get().mailbox())) {
            policyRejection("recipient " + path.get().mailbox());
            localReply("550 5.7.1 Recipient address rejected by policy");
            return;
        }
        if (recipientsForwarded >= policy.getMaxRecipients()) {
            // Each extra RCPT is refused on its own (RFC 5321 4.5.3.1.10); none is dropped silently.
            localReply("452 4.5.3 Too many recipients");
            return;
        }
        recipientsForwarded++;
        forward(Kind.RCPT, text, path);
    }

    private void policyRejection(String what) {
        runtime.policyRejections.increment();
        sessionLog.info("refused {} by policy", what);
    }

    private static Optional<Long> parseLong(String value) {
        try {
            return Optional.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void onData(String argument) {
        if (!argument.isEmpty()) {
            localReply("501 5.5.4 Syntax: DATA");
        } else if (mailState != MailState.ACCEPTED) {
            localReply("503 5.5.1 Need MAIL command");
        } else if (recipients.isEmpty()) {
            localReply("554 5.5.1 No valid recipients");
        } else {
            clientMode = ClientMode.DATA;
            message = new MessageCollector(policy.getMaxMessageSize(), -1);
            previousLineEndedCrlf = true;
            badLineEnding = false;
            localReply("354 End data with <CR><LF>.<CR><LF>");
        }
    }

    private void onStartTls(String argument) {
        if (implicitTls || TlsEngines.isTlsActive(client)) {
            localReply("503 5.5.1 TLS already active");
        } else if (!offersStartTls()) {
            localReply("502 5.5.1 STARTTLS is not available");
        } else if (!argument.isEmpty()) {
            localReply("501 5.5.4 Syntax: STARTTLS");
        } else if (authenticated) {
            localReply("503 5.5.1 STARTTLS is not permitted after authentication");
        } else {
            startTls();
        }
    }

    private void startTls() {
        startClientTls(runtime.serverTls.orElse(null), clientReader.unconsumed(), "STARTTLS", "220 2.0.0 Ready to start TLS",
            "554 5.5.1 Commands pipelined after STARTTLS are refused", runtime.metrics.startTls, runtime.metrics.injectionRefused);
    }

    @Override
    protected void onClientTlsStarted() {
        // RFC 3207 4.2: the session starts over; the client must EHLO again.
        greeted = false;
        if (mailState != MailState.NONE) {
            forward(Kind.INTERNAL_RSET, "RSET", Optional.empty());
        }
        newTransaction();
        processClient();
    }

    private void newTransaction() {
        generation++;
        mailState = MailState.NONE;
        sender = MaybeSender.nullSender();
        recipients.clear();
        recipientsForwarded = 0;
    }

    private void forward(Kind kind, String command, Optional<SmtpPath> path) {
        pending.add(new Pending(kind, null, generation, path));
        upstream.write(Unpooled.copiedBuffer(command + "\r\n", ISO_8859_1));
    }

    private void forwardBarrier(Kind kind, String command) {
        barrierInFlight = true;
        forward(kind, command, Optional.empty());
    }

    /** The proxy's own reply, delivered after every earlier reply. */
    private void localReply(String reply) {
        if (pending.isEmpty()) {
            writeClient(reply);
        } else {
            pending.add(new Pending(Kind.LOCAL, reply, generation, Optional.empty()));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // DATA

    private void onDataLine(ByteBuf line) {
        if (previousLineEndedCrlf && DotStuffing.isTerminator(line)) {
            clientMode = ClientMode.COMMAND;
            onMessageComplete();
            return;
        }
        boolean crlf = DotStuffing.endsWithCrlf(line);
        int contentEnd = line.writerIndex() - (crlf ? 2 : 1);
        // SMTP smuggling (<LF>.<LF>, <CR>.<CR>, <LF>.<CR><LF>...) needs a bare CR or LF somewhere: refuse them all.
        if (!crlf || line.indexOf(line.readerIndex(), contentEnd, (byte) '\r') >= 0) {
            badLineEnding = true;
        }
        if (badLineEnding && isLooseTerminator(line)) {
            // The message is refused anyway and the connection closed after the reply, so ending at the first
            // thing that looks like an end cannot smuggle anything; waiting for a strict CRLF.CRLF could hang
            // a sloppy client.
            clientMode = ClientMode.COMMAND;
            onMessageComplete();
            return;
        }
        previousLineEndedCrlf = crlf;
        if (badLineEnding || message.isOverLimit()) {
            return;
        }
        message.add(DotStuffing.unstuff(line).retain());
        if (message.isOverLimit()) {
            // Refused with 552 at the final dot; nothing more of it is kept.
            message.keepHeadOnly();
        }
    }

    /** "." alone on a line, whatever its line ending. */
    private static boolean isLooseTerminator(ByteBuf line) {
        int start = line.readerIndex();
        if (line.readableBytes() < 2 || line.getByte(start) != '.') {
            return false;
        }
        for (int i = start + 1; i < line.writerIndex(); i++) {
            if (line.getByte(i) != '\r' && line.getByte(i) != '\n') {
                return false;
            }
        }
        return true;
    }

    private void onMessageComplete() {
        if (badLineEnding) {
            // Like Postfix's smtpd_forbid_bare_newline=reject: refuse and disconnect, so that where the client
            // thought its message ended can never matter.
            refusedCount++;
            runtime.refused.increment();
            sessionLog.warn("message refused: bare CR or LF in DATA (SMTP smuggling attempt?); closing");
            releaseMessage();
            closeWith("550 5.6.0 Message refused: bare CR or LF in the message data (lines must end with CRLF)");
            return;
        }
        if (message.isOverLimit()) {
            refuseMessage("552 5.3.4 Message size exceeds fixed maximum message size", "message over " + policy.getMaxMessageSize());
            return;
        }
        byte[] content = message.take();
        message = null;
        if (!interception.inspects()) {
            sendDataUpstream(content);
            return;
        }
        switch (interception.decide(content.length)) {
            case PASS_UNINSPECTED:
                interception.passedUninspected(content.length);
                sendDataUpstream(content);
                return;
            case REPLACE_WITH_NOTICE:
                interception.replaceOversize(Arrays.copyOf(content, Math.min(content.length, MessageCollector.NOTICE_HEADER_BYTES)),
                    new MessageRenderer(false));
                return;
            default:
                delivery = Delivery.INSPECTING;
                interception.inspect(content, new MessageRenderer(true));
        }
    }

    /**
     * A verdict as the reply to the final dot. Only an allowed message reaches the upstream (DATA, then the message);
     * the client's 250 is then the upstream's. A refused one leaves the upstream with MAIL/RCPT only: RSET.
     */
    private final class MessageRenderer implements VerdictRenderer {
        private final boolean resumeClient;

        /** @param resumeClient the verdict came back from the inspection pool: the client leg is read on */
        MessageRenderer(boolean resumeClient) {
            this.resumeClient = resumeClient;
        }

        @Override
        public void allowed(byte[] content, boolean modified) {
            delivery = Delivery.NONE;
            sendDataUpstream(content);
            resume();
        }

        @Override
        public void denied(byte[] notice, String reason) {
            refuse("554 5.7.1 " + oneLine(reason));
        }

        @Override
        public void tempfailed(byte[] notice, String reason) {
            // The client keeps the message and may retry.
            refuse("451 4.7.1 " + oneLine(reason));
        }

        /**
         * No reply to the final dot: the upstream has MAIL/RCPT but never got DATA from us, so closing its leg
         * delivers nothing. The client gets the 421 every SMTP server sends before closing, with no reason.
         */
        @Override
        public void closing() {
            delivery = Delivery.NONE;
            closeWith("421 4.7.0 " + runtime.helloName + " closing connection");
        }

        private void refuse(String reply) {
            delivery = Delivery.NONE;
            localReply(reply);
            abandonUpstreamTransaction();
            resume();
        }

        private void resume() {
            if (resumeClient) {
                flushBoth();
                resumeClient();
            }
        }
    }

    private void refuseMessage(String reply, String why) {
        refusedCount++;
        runtime.refused.increment();
        sessionLog.warn("message refused: {}", why);
        releaseMessage();
        localReply(reply);
        abandonUpstreamTransaction();
    }

    /** The upstream holds MAIL/RCPT of a message it will never get: RSET, reply swallowed. */
    private void abandonUpstreamTransaction() {
        newTransaction();
        forward(Kind.INTERNAL_RSET, "RSET", Optional.empty());
    }

    private void sendDataUpstream(byte[] content) {
        outgoing = DotStuffing.stuff(content);
        delivery = Delivery.DATA_SENT;
        forward(Kind.DATA, "DATA", Optional.empty());
        upstream.flush();
    }

    private static String oneLine(String text) {
        String flat = text.replaceAll("[\\r\\n]+", " ").trim();
        return flat.isEmpty() ? "Message refused by policy" : flat;
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
        Pending head = pending.peekFirst();
        if (head == null || head.kind == Kind.LOCAL) {
            if (reply.code() == 421) {
                sessionLog.warn("the mail server is closing the connection: {}", reply);
                writeRaw(reply.wire());
                closeAfterFlush();
            } else {
                sessionLog.warn("unsolicited reply from the mail server ignored: {}", reply);
            }
            return;
        }
        pending.pollFirst();
        boolean current = head.generation == generation;
        switch (head.kind) {
            case EHLO:
                barrierInFlight = false;
                if (reply.code() == 250) {
                    upstreamKeywords = SmtpExtensions.keywords(reply);
                    greeted = true;
                    writeRaw(SmtpExtensions.rewrite(runtime.helloName + " Hello " + remoteAddress, upstreamKeywords,
                        new SmtpExtensions.ClientLeg(offersStartTls(), authAllowed()), policy.getMaxMessageSize()));
                } else {
                    writeRaw(reply.wire());
                }
                break;
            case HELO:
                barrierInFlight = false;
                greeted = greeted || reply.isPositive();
                writeRaw(reply.wire());
                break;
            case MAIL:
                if (current) {
                    if (reply.isPositive()) {
                        mailState = MailState.ACCEPTED;
                        sender = head.path.map(SmtpPath::sender).orElse(MaybeSender.nullSender());
                    } else {
                        mailState = MailState.NONE;
                    }
                }
                writeRaw(reply.wire());
                break;
            case RCPT:
                if (current) {
                    if (reply.isPositive()) {
                        head.path.flatMap(SmtpPath::mailAddress).ifPresent(recipients::add);
                    } else {
                        recipientsForwarded--;
                    }
                }
                writeRaw(reply.wire());
                break;
            case AUTH:
                barrierInFlight = false;
                if (reply.code() == 334) {
                    clientMode = ClientMode.AUTH_RESPONSE;
                } else if (reply.code() == 235) {
                    authenticated = true;
                    runtime.metrics.logins.increment();
                    sessionLog.info("authenticated");
                } else {
                    user.forget();
                }
                writeRaw(reply.wire());
                break;
            case QUIT:
                writeRaw(reply.wire());
                closeAfterFlush();
                return;
            case DATA:
                if (reply.code() == 354) {
                    delivery = Delivery.MESSAGE_SENT;
                    pending.addFirst(new Pending(Kind.MESSAGE, null, generation, Optional.empty()));
                    upstream.write(Unpooled.wrappedBuffer(outgoing));
                    outgoing = null;
                } else {
                    finishDelivery(reply);
                    abandonUpstreamTransaction();
                }
                break;
            case MESSAGE:
                finishDelivery(reply);
                newTransaction();
                break;
            case INTERNAL_RSET:
                if (!reply.isPositive()) {
                    sessionLog.warn("the mail server refused RSET: {}", reply);
                }
                break;
            default:
                writeRaw(reply.wire());
        }
        drainLocalReplies();
    }

    /** The client's reply to its final dot: the upstream's own, 250 included, never one of ours. */
    private void finishDelivery(SmtpReply reply) {
        delivery = Delivery.NONE;
        outgoing = null;
        if (reply.isPositive()) {
            relayedCount++;
            runtime.relayed.increment();
            sessionLog.info("message accepted by the mail server: {}", reply);
        } else {
            runtime.rejectedUpstream.increment();
            sessionLog.info("message refused by the mail server: {}", reply);
        }
        writeRaw(reply.wire());
    }

    private void drainLocalReplies() {
        while (!pending.isEmpty() && pending.peekFirst().kind == Kind.LOCAL) {
            writeClient(pending.pollFirst().reply);
        }
    }

    /** Continues with the client once the queue allows: a held barrier command first. */
    private void resumeClient() {
        if (phase != Phase.RELAYING) {
            return;
        }
        if (heldCommand != null && pending.isEmpty() && !barrierInFlight && delivery == Delivery.NONE) {
            String command = heldCommand;
            heldCommand = null;
            execute(command, verb(command));
        }
        processClient();
        readClientIfPossible();
    }

    private void upstreamLost() {
        if (phase != Phase.RELAYING) {
            return;
        }
        runtime.metrics.upstreamFailures.increment();
        boolean waiting = pending.stream().anyMatch(entry -> entry.kind != Kind.LOCAL && entry.kind != Kind.INTERNAL_RSET)
            || delivery != Delivery.NONE;
        sessionLog.warn("connection to the mail server lost{}", delivery != Delivery.NONE ? " during DATA" : "");
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
        if (quitRequested && pending.isEmpty()) {
            closeAfterFlush();
        } else {
            upstreamLost();
        }
    }

    @Override
    protected void releaseProtocolResources() {
        if (clientMode == ClientMode.DATA || delivery != Delivery.NONE) {
            // Whatever the upstream got of this transaction has no final dot from us: it is never delivered.
            sessionLog.warn("session ended during DATA; the message is abandoned");
        }
        clientReader.release();
        upstreamReader.buffer().release();
        releaseMessage();
        outgoing = null;
        sessionLog.info("connection closed: {} message(s) relayed, {} denied, {} refused", relayedCount,
            interception.deniedCount(), refusedCount);
    }

    private void releaseMessage() {
        if (message != null) {
            message.release();
            message = null;
        }
    }

    private void flushBoth() {
        client.flush();
        if (upstream != null) {
            upstream.flush();
        }
    }

    private void writeClient(String line) {
        writeClientLine(line);
    }

    private void writeRaw(String text) {
        client.write(Unpooled.copiedBuffer(text, ISO_8859_1));
    }

    private void closeWith(String reply) {
        if (phase == Phase.CLOSED) {
            return;
        }
        drainLocalReplies();
        writeClient(reply);
        closeAfterFlush();
    }
}
