package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.List;
import java.util.Optional;

import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.MessageInterception;
import org.jamesproxy.relay.PlainDialogue;
import org.jamesproxy.relay.RelaySession;
import org.jamesproxy.relay.SaslUser;
import org.jamesproxy.relay.SessionLog;
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

    private final Pop3Proxy runtime;
    private final boolean implicitTls;
    private final InputBuffer clientIn;
    private final InputBuffer upstreamIn;
    private final SessionLog sessionLog;
    private final SaslUser user = new SaslUser();
    private final Pop3Retrieval retrieval;
    private final Pop3AnswerReader answers;

    private Optional<String> apopTimestamp = Optional.empty();
    private boolean authenticated;

    private Pop3Decision.Forward inFlight;
    private boolean awaitingSaslResponse;

    Pop3ProxySession(Pop3Proxy runtime, Channel client, boolean implicitTls) {
        super(client, runtime.route, runtime.metrics.activeConnections, runtime.policy.getPolicy().getDeadlines(),
            runtime.policy.getPolicy().getMaxLineLength());
        this.runtime = runtime;
        this.implicitTls = implicitTls;
        this.clientIn = new InputBuffer(client.alloc(), runtime.policy.getPolicy().getMaxLineLength());
        this.upstreamIn = new InputBuffer(client.alloc(), runtime.policy.getMaxUpstreamLineLength());
        this.sessionLog = new SessionLog(LOGGER, "POP3-PROXY", runtime.policyName(), remoteAddress, sessionId, user::user);
        ClientSide clientSide = new ClientSide();
        this.retrieval = new Pop3Retrieval(
            new MessageInterception(runtime.interception, client, sessionLog, () -> phase == Phase.RELAYING), sessionLog, clientSide);
        this.answers = new Pop3AnswerReader(upstreamIn, retrieval, clientSide, this::clientLeg,
            runtime.policy.getMaxListingSize());
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
        Pop3UpstreamPrelude prelude = new Pop3UpstreamPrelude(runtime.route.connector(), new Pop3UpstreamPrelude.Outcome() {
            @Override
            public void ready(Channel channel, Optional<String> timestamp, List<String> capabilities) {
                onUpstreamReady(channel, timestamp, capabilities);
            }

            @Override
            public void failed(String reason) {
                onUpstreamFailed(reason);
            }
        }, preludeReader, runtime.policy.getMaxListingSize());
        if (implicitTls) {
            connectUpstream(prelude);
        } else {
            // Our greeting before any upstream exists has no APOP challenge: only the upstream's own could be used.
            connectUpstreamOnFirstCommand(prelude, "+OK " + runtime.helloName + " POP3 proxy ready");
        }
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
        // The client already has a greeting without a challenge when the proxy greeted before connecting.
        apopTimestamp = runtime.policy.isOfferApop() && !greetedWithoutUpstream() ? timestamp : Optional.empty();
        sessionLog.info("upstream {} ready ({}), client leg {}", runtime.route.connector().describe(), TlsEngines.describe(upstream),
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
            if (forward.upstreamLine().isPresent()) {
                line.release();
                upstream.write(Unpooled.copiedBuffer(forward.upstreamLine().get() + "\r\n", ISO_8859_1));
            } else {
                upstream.write(line);
            }
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

    @Override
    public boolean inspectsPartialRetrieval() {
        return retrieval.inspectsPartialRetrieval();
    }

    @Override
    public boolean lockedOut(String name) {
        return runtime.access.isLockedOut(name);
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
            while (phase == Phase.RELAYING && !retrieval.isInspecting()) {
                if (inFlight == null) {
                    if (upstreamIn.hasBufferedBytes()) {
                        sessionLog.warn("the mail server sent data no command asked for");
                        closeWithFarewell("[SYS/TEMP] The mail server sent an answer the proxy cannot relay");
                        return;
                    }
                    break;
                }
                if (!answers.step(inFlight)) {
                    break;
                }
            }
        } catch (Pop3AnswerReader.UnrelayableAnswerException e) {
            sessionLog.warn("{}", e.getMessage());
            closeWithFarewell(e.farewell());
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

    /** How the answer reader and the retrieval reach the client leg and this session. */
    private final class ClientSide implements Pop3AnswerSink {
        @Override
        public void writeLine(String line) {
            writeClientLine(line);
        }

        @Override
        public void write(ByteBuf bytes) {
            client.write(bytes);
        }

        @Override
        public void challenged() {
            awaitingSaslResponse = true;
        }

        @Override
        public void answered(boolean ok) {
            commandCompleted(ok);
        }

        @Override
        public void resume() {
            processUpstream();
            readUpstreamIfPossible();
        }

        @Override
        public void closeWithFarewell(String reason) {
            Pop3ProxySession.this.closeWithFarewell(reason);
        }
    }

    private void commandCompleted(boolean ok) {
        Pop3Decision.Forward done = inFlight;
        inFlight = null;
        awaitingSaslResponse = false;
        answers.reset();
        switch (done.completion()) {
            case LOGIN:
                if (ok) {
                    authenticated = true;
                    loginPhaseOver();
                    runtime.metrics.logins.increment();
                    sessionLog.info("user {} logged in", user.user().orElse("(unknown)"));
                } else {
                    sessionLog.warn("login failed for user {}", user.user().orElse("(unknown)"));
                    loginFailed(runtime.access, user.user().orElse("(unknown)"));
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
        return retrieval.isInspecting();
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
        retrieval.release();
        sessionLog.info("connection closed: {}", retrieval.summary());
    }
}
