package org.jamesproxy.imap;

import java.util.List;

import org.jamesproxy.imap.view.ViewKey;
import org.jamesproxy.imap.view.ViewKeys;
import org.jamesproxy.imap.view.ViewResponse;
import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.Lines;
import org.jamesproxy.relay.MessageInterception;
import org.jamesproxy.relay.PlainDialogue;
import org.jamesproxy.relay.RelaySession;
import org.jamesproxy.relay.SaslUser;
import org.jamesproxy.relay.SessionLog;
import org.jamesproxy.tls.TlsEngines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * One proxied IMAP connection: the client leg (accepted by a {@link ProxyListener}) and the upstream leg.
 * Both legs run on the client channel's event loop, so the state below needs no locking. Bytes flow through
 * untouched except where the proxy must act: capability lists, STARTTLS, authentication on a plain leg, and
 * full-message FETCH literals, which go through the inspection pipeline. Reads follow writes (AUTO_READ off
 * on both legs), so memory stays flat whatever the message sizes.
 * <p>
 * The session holds the state both directions share and wires the parts that do the work: {@link ClientCommands}
 * (client → upstream: framing, command handlers, STARTTLS ordering), {@link ResponseRelay} (upstream → client:
 * capability rewriting, completions) and {@link FetchInterception} (FETCH literals through the proxy action).
 */
final class ImapProxySession extends RelaySession {
    private static final Logger LOGGER = LoggerFactory.getLogger(ImapProxySession.class);

    /** How much the upstream may send ahead while a message is inspected (kept in the reader, relayed afterwards). */
    private static final int INSPECTION_READ_AHEAD = 256 * 1024;

    private final ImapProxy runtime;
    private final boolean implicitTls;
    private final ImapFrameReader clientReader;
    private final ImapFrameReader upstreamReader;
    private final SessionLog sessionLog;
    private final SaslUser user = new SaslUser();
    private final MessageInterception interception;
    private final ClientCommands commands;
    private final FetchInterception fetch;
    private final ResponseRelay responses;
    private final SelectedMailbox mailbox;
    private final ViewFetch views;
    private final AppendInspection appends;
    /** The (upstream, user) this session counts for in the shared view cache, once logged in. */
    private String viewUser;

    private List<String> upstreamCapabilities = List.of();
    private boolean authenticated;
    private boolean logoutRequested;

    ImapProxySession(ImapProxy runtime, Channel client, boolean implicitTls) {
        super(client, runtime.route, runtime.metrics.activeConnections, runtime.policy.getPolicy().getDeadlines(),
            runtime.policy.getPolicy().getMaxLineLength());
        this.runtime = runtime;
        this.implicitTls = implicitTls;
        this.clientReader = new ImapFrameReader(client.alloc(), runtime.policy.getPolicy().getMaxLineLength());
        this.upstreamReader = new ImapFrameReader(client.alloc(), runtime.policy.getMaxUpstreamLineLength());
        this.sessionLog = new SessionLog(LOGGER, "IMAP-PROXY", runtime.policyName(), remoteAddress, sessionId, user::user);
        this.interception = new MessageInterception(runtime.interception, client, sessionLog, () -> phase == Phase.RELAYING);
        Legs legs = new Legs();
        this.commands = new ClientCommands(clientReader, runtime.policy.getMaxPipelinedCommands(),
            runtime.policy.getMaxLiteralSize(), legs);
        this.fetch = new FetchInterception(interception, legs);
        this.mailbox = new SelectedMailbox(this::uidValidityChanged);
        this.views = new ViewFetch(upstreamReader, interception, runtime.views, this::viewKey, runtime.inspectionExecutor,
            client.eventLoop(), runtime.viewCounters, runtime.inFlight,
            runtime.policy.getMaxUpstreamLineLength(), runtime.policy.getViewCache().getSpillDirectory(),
            runtime.policy.getViewCache().getReadAhead(), new ViewLegs());
        this.appends = new AppendInspection(clientReader, interception, new AppendLegs());
        this.responses = new ResponseRelay(upstreamReader, legs, this::clientLeg, commands, fetch, views, line -> {
            mailbox.onUntagged(line);
            views.onUntaggedRelayed(line);
        });
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
        ImapUpstreamPrelude prelude = new ImapUpstreamPrelude(runtime.route.connector(), new ImapUpstreamPrelude.Outcome() {
            @Override
            public void ready(Channel channel, List<String> capabilities, ByteBuf leftover) {
                onUpstreamReady(channel, capabilities, leftover);
            }

            @Override
            public void failed(String reason) {
                onUpstreamFailed(reason);
            }
        }, preludeReader);
        if (implicitTls) {
            connectUpstream(prelude);
        } else {
            // Before the upstream exists, only what the proxy itself vouches for: IMAP4rev1 and the client leg's
            // STARTTLS / LOGINDISABLED. The upstream's extensions come with the answer to CAPABILITY, and after
            // STARTTLS or login, as clients ask again then (RFC 9051 6.2.1, 7.1).
            connectUpstreamOnFirstCommand(prelude, "* OK [CAPABILITY " + ImapCapabilities.rewrite(List.of("IMAP4rev1"), clientLeg())
                + "] " + runtime.helloName + " IMAP4rev1 proxy ready");
        }
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

    private String upstreamName() {
        return runtime.route.connector().describe();
    }

    /** A message's key in the view cache; empty while the user, the mailbox or its UIDVALIDITY is unknown. */
    private java.util.Optional<ViewKey> viewKey(long uid) {
        if (user.user().isEmpty()) {
            return java.util.Optional.empty();
        }
        return mailbox.selected().map(selected -> new ViewKey(upstreamName(), user.user().get(), selected.name(),
            selected.uidValidity(), uid, runtime.actionFingerprint));
    }

    private void uidValidityChanged(String mailboxName, long uidValidity) {
        user.user().ifPresent(name -> runtime.views.invalidate(ViewKeys.scope(upstreamName(), name, mailboxName), uidValidity));
    }

    private ImapCapabilities.ClientLeg clientLeg() {
        return new ImapCapabilities.ClientLeg(TlsEngines.isTlsActive(client),
            runtime.policy.getPolicy().getTlsSupport().offersStartTls() && !implicitTls,
            authenticated, runtime.policy.getPolicy().isAllowPlaintextAuth(), inspectsAppend());
    }

    private boolean inspectsAppend() {
        return interception.inspects() && runtime.policy.getAppend() == org.jamesproxy.config.ImapPolicy.Append.INSPECT;
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
                commands.onFrame(frame);
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
        return isClientHandshaking() || commands.paused();
    }

    private void startTls(String tag) {
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
            while (phase == Phase.RELAYING && !upstreamWaitsForInspection() && !views.waitingForBudget()
                && (frame = upstreamReader.next()) != null) {
                responses.onFrame(frame);
            }
        } catch (InputBuffer.LineTooLongException e) {
            sessionLog.warn("upstream line too long: {}", e.getMessage());
            closeWithFarewell("[UNAVAILABLE] The mail server sent a response the proxy cannot relay");
            return;
        }
        client.flush();
    }

    /** A message is with the action: the upstream's next frames wait, unless a view fetch collects meanwhile. */
    private boolean upstreamWaitsForInspection() {
        return interception.isInspecting() && !views.collectsWhileInspecting();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Flow control, timeouts, shutdown

    @Override
    protected void onClientTlsStarted() {
        processClient();
    }

    @Override
    protected void onClientWritable() {
        views.onClientWritable();
    }

    @Override
    protected boolean upstreamPaused() {
        return (interception.isInspecting() || views.waitingForBudget())
            && upstreamReader.unconsumed().readableBytes() >= INSPECTION_READ_AHEAD;
    }

    @Override
    protected boolean upstreamBytesStayHere() {
        // Collecting or inspecting a message may overlap with the client draining the previous one, as long as what
        // waits for the client stays bounded too.
        return (fetch.isCollecting() || interception.isInspecting() || views.isActive())
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
        fetch.release();
        views.release();
        commands.release();
        appends.release();
        if (viewUser != null) {
            runtime.sessionEnded(upstreamName(), viewUser);
            viewUser = null;
        }
        sessionLog.info("connection closed: {}", interception.summary());
    }

    /** The session as an inspected APPEND sees it. */
    private final class AppendLegs implements AppendInspection.Session {
        @Override
        public void reply(String line) {
            writeClientLine(line);
            client.flush();
        }

        @Override
        public void toUpstream(ByteBuf bytes) {
            upstream.write(bytes);
        }

        @Override
        public void flushUpstream() {
            upstream.flush();
        }

        @Override
        public void closeWithFarewell(String reason) {
            ImapProxySession.this.closeWithFarewell(reason);
        }

        @Override
        public void resumeClient() {
            // What the upstream sent while the message was with the action waits in the reader.
            processUpstream();
            readUpstreamIfPossible();
            new Legs().resumeClient(true);
        }

        @Override
        public void forwarded(ImapCommand command) {
            commands.appendForwarded(command);
        }

        @Override
        public boolean upstreamHasLiteralPlus() {
            return upstreamCapabilities.stream().anyMatch(capability -> capability.equalsIgnoreCase("LITERAL+"));
        }

        @Override
        public SessionLog log() {
            return sessionLog;
        }
    }

    /** The session as the view fetch sees it. */
    private final class ViewLegs implements ViewFetch.Session {
        @Override
        public void toUpstream(ByteBuf bytes) {
            upstream.write(bytes);
        }

        @Override
        public void flushUpstream() {
            upstream.flush();
        }

        @Override
        public void write(ByteBuf bytes) {
            client.write(bytes);
        }

        @Override
        public void write(ViewResponse response) {
            client.write(response).addListener(written -> {
                if (!written.isSuccess() && client.isActive()) {
                    sessionLog.warn("inspected message not sent whole, closing: {}", String.valueOf(written.cause()));
                    client.close();
                }
            });
        }

        @Override
        public void flushClient() {
            client.flush();
        }

        @Override
        public boolean clientWritable() {
            return client.isWritable();
        }

        @Override
        public void relayUntagged(byte[] response) {
            responses.relayUntagged(response);
        }

        @Override
        public void relayTagged(byte[] line) {
            responses.relayTagged(line);
        }

        @Override
        public void finished() {
            client.flush();
            new Legs().resumeClient(true);
        }

        @Override
        public boolean betweenCommands() {
            return commands.betweenCommands() && !clientReader.hasBufferedBytes();
        }

        @Override
        public void readAheadOver(FetchPlan waiting) {
            if (phase != Phase.RELAYING) {
                return;
            }
            if (waiting != null) {
                new Legs().startViewFetch(waiting);
            } else {
                commands.readAheadOver();
            }
            client.flush();
            new Legs().resumeClient(false);
        }

        @Override
        public void resumeUpstream() {
            processUpstream();
            readUpstreamIfPossible();
        }

        @Override
        public void closeWithFarewell(String reason) {
            ImapProxySession.this.closeWithFarewell(reason);
        }

        @Override
        public SessionLog log() {
            return sessionLog;
        }

        @Override
        public io.netty.buffer.ByteBufAllocator alloc() {
            return client.alloc();
        }
    }

    /** The session as its parts see it: the two legs, and the state the command handlers change. */
    private final class Legs implements ClientCommands.Session, FetchInterception.Client {
        @Override
        public void toUpstream(ByteBuf bytes) {
            upstream.write(bytes);
        }

        @Override
        public void reply(String line) {
            writeClientLine(line);
            client.flush();
        }

        @Override
        public void write(ByteBuf bytes) {
            client.write(bytes);
        }

        @Override
        public void closeWithFarewell(String reason) {
            ImapProxySession.this.closeWithFarewell(reason);
        }

        @Override
        public void startTls(String tag) {
            ImapProxySession.this.startTls(tag);
        }

        @Override
        public void resumeClient(boolean later) {
            if (later) {
                client.eventLoop().execute(() -> resumeClient(false));
                return;
            }
            processClient();
            readClientIfPossible();
        }

        @Override
        public void resumeUpstream() {
            processUpstream();
            readUpstreamIfPossible();
        }

        @Override
        public ImapCapabilities.ClientLeg clientLeg() {
            return ImapProxySession.this.clientLeg();
        }

        @Override
        public boolean tlsActive() {
            return implicitTls || TlsEngines.isTlsActive(client);
        }

        @Override
        public SaslUser user() {
            return user;
        }

        @Override
        public SessionLog log() {
            return sessionLog;
        }

        @Override
        public void loggedIn() {
            authenticated = true;
            loginPhaseOver();
            runtime.metrics.logins.increment();
            if (viewUser == null && user.user().isPresent()) {
                viewUser = user.user().get();
                runtime.sessionStarted(upstreamName(), viewUser);
            }
        }

        @Override
        public SelectedMailbox mailbox() {
            return mailbox;
        }

        @Override
        public boolean answersFetchFromViews() {
            return runtime.answersFetchFromViews();
        }

        @Override
        public void startViewFetch(FetchPlan plan) {
            if (views.answerFromCache(plan) || views.waitForReadAhead(plan)) {
                return;
            }
            views.begin(plan);
            upstream.write(Lines.encode(plan.upstreamLine()));
            upstream.flush();
        }

        @Override
        public boolean viewFetchActive() {
            return views.holdsClient();
        }

        @Override
        public boolean readingAhead() {
            return views.readingAhead();
        }

        @Override
        public void commandArrived() {
            views.deliverUpdates();
        }

        @Override
        public AppendInspection appends() {
            return appends;
        }

        @Override
        public boolean inspectsAppend() {
            return ImapProxySession.this.inspectsAppend();
        }

        @Override
        public void loginFailed(String user, String status) {
            ImapProxySession.this.loginFailed(runtime.access, user);
        }

        @Override
        public boolean lockedOut(String user) {
            return runtime.access.isLockedOut(user);
        }

        @Override
        public void idling(boolean idling) {
            switchIdleTimeout(idling);
        }

        @Override
        public void logoutRequested() {
            logoutRequested = true;
        }
    }
}
