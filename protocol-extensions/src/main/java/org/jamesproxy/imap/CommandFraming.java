package org.jamesproxy.imap;

import org.jamesproxy.relay.SessionLog;

import io.netty.buffer.ByteBuf;

/**
 * The client's commands as bytes on their way upstream: the segments of a command that carries literals, the
 * literals themselves ({@code {n+}} streamed at once, {@code {n}} only after the upstream's {@code +}), the literal
 * size limit, and the dropping of a command the proxy answered itself together with any literal the client sends
 * without waiting. What a command means is not its business (see {@link ClientCommands}).
 */
final class CommandFraming {
    /** What became of the first segment of a command. */
    enum Outcome {
        FORWARDED,
        /** Answered {@code NO [TOOBIG]} and never sent: the caller forgets the command. */
        REFUSED,
        /** The connection is being closed. */
        CLOSING
    }

    /** Where the framing writes. */
    interface Legs {
        void toUpstream(ByteBuf bytes);

        /** A line to the client, flushed. */
        void reply(String line);

        void closeWithFarewell(String reason);
    }

    private final ImapFrameReader reader;
    private final CommandsInFlight inFlight;
    private final long maxLiteralSize;
    private final SessionLog log;
    private final Legs legs;
    private boolean commandContinues;
    private boolean discardingCommand;
    private boolean discardingLiteral;
    private long literalAwaitingContinuation = -1;
    private ImapCommand literalCommand;

    CommandFraming(ImapFrameReader reader, CommandsInFlight inFlight, long maxLiteralSize, SessionLog log, Legs legs) {
        this.reader = reader;
        this.inFlight = inFlight;
        this.maxLiteralSize = maxLiteralSize;
        this.log = log;
        this.legs = legs;
    }

    /**
     * Takes the frame if it belongs to a command already started: a literal chunk, the next segment of a command,
     * or what follows a dropped command. False for a line that starts something new.
     */
    boolean continueCommand(ImapFrame frame) {
        if (frame.isLiteralChunk()) {
            if (discardingLiteral) {
                frame.content().release();
                discardingLiteral = !frame.isLastChunk();
            } else {
                legs.toUpstream(frame.content());
            }
            return true;
        }
        if (discardingCommand) {
            discard(frame);
            return true;
        }
        if (commandContinues) {
            forward(frame, false);
            return true;
        }
        return false;
    }

    /** The first segment of a command just put in flight. */
    Outcome forward(ImapFrame firstSegment) {
        return forward(firstSegment, true);
    }

    private Outcome forward(ImapFrame frame, boolean firstSegment) {
        if (!frame.announcesLiteral()) {
            commandContinues = false;
            legs.toUpstream(frame.content());
            return Outcome.FORWARDED;
        }
        if (frame.announcedLiteral() > maxLiteralSize) {
            String tag = inFlight.isEmpty() ? "*" : inFlight.last().tag();
            log.warn("client literal of {} bytes refused (limit {})", frame.announcedLiteral(), maxLiteralSize);
            frame.content().release();
            if (firstSegment && !frame.isNonSynchronizing()) {
                commandContinues = false;
                legs.reply(tag + " NO [TOOBIG] Literal too large");
                return Outcome.REFUSED;
            }
            // Part of the command is already upstream, or the client is sending the bytes anyway: no clean way on.
            legs.closeWithFarewell("[TOOBIG] Literal too large");
            return Outcome.CLOSING;
        }
        commandContinues = true;
        legs.toUpstream(frame.content());
        if (frame.isNonSynchronizing()) {
            reader.expectLiteral(frame.announcedLiteral());
        } else {
            // The client sends the bytes only after the upstream's "+": until then, its next bytes are not literal.
            literalAwaitingContinuation = frame.announcedLiteral();
            literalCommand = inFlight.last();
        }
        return Outcome.FORWARDED;
    }

    /** Drops a command the proxy answered itself, with the literal the client sends along without waiting. */
    void discard(ImapFrame frame) {
        discardingCommand = frame.announcesLiteral() && frame.isNonSynchronizing();
        if (discardingCommand) {
            reader.expectLiteral(frame.announcedLiteral());
            discardingLiteral = frame.announcedLiteral() > 0;
        }
        frame.content().release();
    }

    /** True while the client's next bytes wait for the upstream's {@code +}: nothing is read from the client. */
    boolean awaitingContinuation() {
        return literalAwaitingContinuation >= 0;
    }

    /** The upstream's {@code +}. @return true when the client now sends the literal it announced */
    boolean continuationRequested() {
        if (literalAwaitingContinuation < 0) {
            return false;
        }
        reader.expectLiteral(literalAwaitingContinuation);
        literalAwaitingContinuation = -1;
        return true;
    }

    /**
     * The upstream completed a command. @return true when it ended the command instead of asking for its literal:
     * the client will not send it, and its next bytes are commands again
     */
    boolean completed(ImapCommand command) {
        if (literalAwaitingContinuation < 0 || literalCommand != command) {
            return false;
        }
        literalAwaitingContinuation = -1;
        commandContinues = false;
        return true;
    }
}
