package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.Map;
import java.util.Optional;

/**
 * The client's side of the dialogue. Each client frame is part of a command in progress ({@link CommandFraming}), a
 * line an exchange took over (SASL responses, IDLE's DONE), or a new command, which its {@link CommandHandler}
 * decides about; the upstream's tagged responses and {@code +} come back here through {@link ResponseRelay.Commands}.
 * Also keeps the client's STARTTLS until the commands before it are done.
 */
final class ClientCommands implements ResponseRelay.Commands {
    /** What the client side needs of its session. */
    interface Session extends CommandContext, CommandFraming.Legs {
        /** TLS on the client leg now, with the go-ahead tagged {@code tag}. */
        void startTls(String tag);

        /** Takes the client's buffered frames and reads the client leg again; {@code later}: after this turn. */
        void resumeClient(boolean later);

        /** Sends the plan's command upstream; its responses are held until served from inspected views. */
        void startViewFetch(FetchPlan plan);

        /** True while a view fetch holds its command's responses, or its command waits for a read-ahead. */
        boolean viewFetchActive();

        /**
         * True while the proxy reads messages ahead of a client downloading in order: FETCH commands may be answered
         * from what it read; other commands wait for it to end ({@link #readAheadOver}).
         */
        boolean readingAhead();

        /** A new command arrived: what the upstream said since the last command's completion goes to the client first. */
        void commandArrived();

        /** The APPEND uploads the proxy inspects. */
        AppendInspection appends();
    }

    private static final CommandHandler RELAYED = (command, context) -> CommandDecision.forward();
    private static final Map<String, CommandHandler> HANDLERS = Map.ofEntries(
        Map.entry("STARTTLS", StartTlsCommand.INSTANCE),
        Map.entry("LOGIN", AuthenticationCommand.INSTANCE),
        Map.entry("AUTHENTICATE", AuthenticationCommand.INSTANCE),
        Map.entry("IDLE", IdleCommand.INSTANCE),
        Map.entry("COMPRESS", RefusedCommand.INSTANCE),
        Map.entry("UNAUTHENTICATE", RefusedCommand.INSTANCE),
        Map.entry("FETCH", ViewFetchCommand.INSTANCE),
        Map.entry("UID FETCH", ViewFetchCommand.INSTANCE),
        Map.entry("SELECT", SelectCommand.INSTANCE),
        Map.entry("EXAMINE", SelectCommand.INSTANCE),
        Map.entry("CLOSE", SelectCommand.INSTANCE),
        Map.entry("UNSELECT", SelectCommand.INSTANCE),
        Map.entry("APPEND", (command, context) ->
            context.inspectsAppend() ? CommandDecision.inspectAppend() : CommandDecision.forward()),
        Map.entry("LOGOUT", (command, context) -> {
            context.logoutRequested();
            return CommandDecision.forward();
        }));

    private final Session session;
    private final int maxPipelinedCommands;
    private final CommandsInFlight inFlight = new CommandsInFlight();
    private final CommandFraming framing;
    /** Non-null while an exchange owns the client's lines (AUTHENTICATE, IDLE). */
    private CommandHandler.ClientLines lineOwner;
    /** The tag of the command whose exchange owns the client's lines. */
    private String lineOwnerTag;
    /** Tagged statuses that replace the upstream's, for exchanges the proxy cancelled. */
    private final java.util.Map<String, String> replacedStatus = new java.util.HashMap<>();
    private String pendingStartTlsTag;
    /** A view fetch waiting for the commands before it to complete (its responses must not mix with theirs). */
    private FetchPlan pendingViewFetch;
    /** A command that arrived during a read-ahead and is not a FETCH it can answer: it goes on when that is over. */
    private ImapFrame deferred;

    ClientCommands(ImapFrameReader reader, int maxPipelinedCommands, long maxLiteralSize, Session session) {
        this.session = session;
        this.maxPipelinedCommands = maxPipelinedCommands;
        this.framing = new CommandFraming(reader, inFlight, maxLiteralSize, session.log(), session);
    }

    /** True while the client must not be read: its STARTTLS waits, or its literal waits for the upstream's "+". */
    boolean paused() {
        return pendingStartTlsTag != null || framing.awaitingContinuation() || pendingViewFetch != null
            || deferred != null || session.viewFetchActive() || session.appends().pausesClient();
    }

    /** True when no command of the client's is in progress or waits, and nothing of it is pending here. */
    boolean betweenCommands() {
        return inFlight.isEmpty() && lineOwner == null && !paused();
    }

    /** The session closed: a command still waiting is dropped. */
    void release() {
        if (deferred != null) {
            deferred.content().release();
            deferred = null;
        }
    }

    /** The read-ahead is over: the command that waited for it is taken now. */
    void readAheadOver() {
        if (deferred != null) {
            ImapFrame frame = deferred;
            deferred = null;
            onNewCommand(frame);
        }
    }

    void onFrame(ImapFrame frame) {
        if (session.appends().takes(frame)) {
            return;
        }
        if (framing.continueCommand(frame)) {
            return;
        }
        if (lineOwner != null) {
            CommandHandler.ClientLines owner = lineOwner;
            if (!owner.onLine(frame, session)) {
                lineOwner = null;
            }
            if (owner.cancels(session)) {
                frame.content().release();
                replacedStatus.put(lineOwnerTag, owner.cancelledStatus());
                session.toUpstream(io.netty.buffer.Unpooled.copiedBuffer("*\r\n", ISO_8859_1));
                return;
            }
            session.toUpstream(frame.content());
            return;
        }
        onNewCommand(frame);
    }

    private void onNewCommand(ImapFrame frame) {
        ImapCommand command = ImapCommand.parse(frame.content().toString(ISO_8859_1));
        if (command.isMissingName()) {
            reject(frame, (command.tag().isEmpty() ? "*" : command.tag()) + " BAD Missing command");
            return;
        }
        if (inFlight.size() >= maxPipelinedCommands) {
            reject(frame, command.tag() + " BAD [LIMIT] Too many commands in progress");
            return;
        }
        session.commandArrived();
        boolean fetch = HANDLERS.get(command.name()) == ViewFetchCommand.INSTANCE;
        if (session.readingAhead() && !fetch) {
            // Before its handler: handlers change the session's state (SELECT, LOGOUT, STARTTLS, ...).
            deferred = frame;
            return;
        }
        CommandDecision decision = HANDLERS.getOrDefault(command.name(), RELAYED).handle(command, session);
        if (session.readingAhead() && decision.kind() == CommandDecision.Kind.FORWARD) {
            // A FETCH the upstream answers (FLAGS, ...): its responses would mix with the read-ahead's. Its handler
            // changes nothing, so it runs again then.
            deferred = frame;
            return;
        }
        switch (decision.kind()) {
            case REJECT -> reject(frame, decision.response());
            case REPLY -> {
                frame.content().release();
                session.reply(decision.response());
            }
            case START_TLS -> {
                frame.content().release();
                if (inFlight.isEmpty()) {
                    session.startTls(command.tag());
                } else {
                    // Answered once the commands before it are done, so their responses stay in clear.
                    pendingStartTlsTag = command.tag();
                }
            }
            case FORWARD -> forward(frame, command, decision);
            case INSPECT_APPEND -> {
                if (frame.announcesLiteral()) {
                    session.appends().begin(command, frame);
                } else {
                    forward(frame, command, CommandDecision.forward());
                }
            }
            case VIEW_FETCH -> {
                if (frame.announcesLiteral()) {
                    reject(frame, command.tag() + " BAD FETCH takes no literal");
                    return;
                }
                frame.content().release();
                if (inFlight.isEmpty()) {
                    startViewFetch(decision.plan());
                } else {
                    pendingViewFetch = decision.plan();
                }
            }
        }
    }

    private void startViewFetch(FetchPlan plan) {
        inFlight.add(plan.command());
        session.startViewFetch(plan);
    }

    private void forward(ImapFrame frame, ImapCommand command, CommandDecision decision) {
        lineOwner = decision.followingLines();
        lineOwnerTag = command.tag();
        inFlight.add(command);
        if (framing.forward(frame) == CommandFraming.Outcome.REFUSED) {
            inFlight.removeLast();
            lineOwner = null;
            session.idling(false);
        }
    }

    /** Answers a command locally and drops it, including any literal the client sends without waiting. */
    private void reject(ImapFrame frame, String response) {
        session.reply(response);
        framing.discard(frame);
    }

    @Override
    public boolean continuationRequested() {
        if (session.appends().continuationRequested()) {
            return true;
        }
        if (framing.continuationRequested()) {
            // The client sends its literal once it has this "+": resume after it is written.
            session.resumeClient(true);
        }
        return false;
    }

    /** An inspected APPEND goes upstream now. */
    void appendForwarded(ImapCommand command) {
        inFlight.add(command);
    }

    @Override
    public Optional<String> completed(String tag, String status) {
        ImapCommand command = inFlight.complete(tag);
        if (command == null) {
            return Optional.empty();
        }
        Optional<String> replaced = Optional.ofNullable(replacedStatus.remove(tag)).map(text -> tag + " " + text + "\r\n");
        if (replaced.isPresent()) {
            status = replaced.get().split(" ", 3)[1];
        }
        if (command.name().equals("APPEND")) {
            session.appends().completed();
        }
        if (HANDLERS.getOrDefault(command.name(), RELAYED).completed(command, status, session)) {
            lineOwner = null;
        }
        if (framing.completed(command)) {
            // The upstream ended the command instead of asking for its literal; the client leg stopped reading while
            // it waited for the "+": without this it would stall.
            session.resumeClient(false);
        }
        return replaced;
    }

    @Override
    public boolean awaitingResponses() {
        return !inFlight.isEmpty();
    }

    @Override
    public void unsolicitedDropped(String line) {
        String shown = line.strip();
        session.log().info("dropped untagged upstream data before login that no command asked for: {}",
            shown.length() > 80 ? shown.substring(0, 80) + "..." : shown);
    }

    @Override
    public void taggedResponseRelayed() {
        if (pendingViewFetch != null && inFlight.isEmpty()) {
            FetchPlan plan = pendingViewFetch;
            pendingViewFetch = null;
            startViewFetch(plan);
            return;
        }
        if (pendingStartTlsTag != null && inFlight.isEmpty()) {
            String tag = pendingStartTlsTag;
            pendingStartTlsTag = null;
            session.startTls(tag);
        }
    }
}
