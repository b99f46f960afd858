package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.Locale;

import org.jamesproxy.relay.Lines;
import org.jamesproxy.relay.MessageCollector;
import org.jamesproxy.relay.MessageInterception;
import org.jamesproxy.relay.SessionLog;
import org.jamesproxy.relay.VerdictRenderer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * An APPEND whose message goes through the proxy action before the server sees it ({@code <inspection><append>
 * inspect}). The proxy takes the literal itself (answering the client's {@code +} for a synchronizing literal),
 * bounded by the inspection limit, runs the action once, and then either sends the command upstream with the
 * inspected message (its new length, as a LITERAL+ literal when the server offers it, else after the server's own
 * {@code +}, which the client never sees) or answers the client itself: {@code NO} for deny, {@code NO [UNAVAILABLE]}
 * for tempfail, {@code * BYE} for drop/block. A message above the limit is refused {@code NO [TOOBIG]} (an upload
 * cannot be half inspected); MULTIAPPEND and CATENATE (a second literal) are refused {@code NO [CANNOT]}. While an
 * upload is in the proxy's hands, no further client command is read.
 */
final class AppendInspection {
    /**
     * Under inspection an APPEND carries one message (MULTIAPPEND's and CATENATE's further literals are refused), so
     * those extensions are not advertised then: a client that saw them would use them and fail.
     */
    static boolean advertises(String upstreamCapability, ImapCapabilities.ClientLeg leg) {
        String upper = upstreamCapability.toUpperCase(Locale.US);
        return !leg.appendsInspected || !(upper.equals("MULTIAPPEND") || upper.equals("CATENATE"));
    }

    /** What the upload needs of its session. */
    interface Session {
        /** A line to the client, flushed. */
        void reply(String line);

        void toUpstream(ByteBuf bytes);

        void flushUpstream();

        void closeWithFarewell(String reason);

        /** The upload is over: the client's next commands are read. */
        void resumeClient();

        /** The command goes upstream now: it is in flight from here on. */
        void forwarded(ImapCommand command);

        boolean upstreamHasLiteralPlus();

        SessionLog log();
    }

    private final ImapFrameReader reader;
    private final MessageInterception interception;
    private final Session session;
    private ImapCommand command;
    private String prefix;
    private MessageCollector collector;
    private boolean literalDone;
    private boolean inspecting;
    /** The message and the rest of the command, waiting for the server's {@code +} (no LITERAL+ upstream). */
    private ByteBuf awaitingContinuation;
    /** A second literal (MULTIAPPEND, CATENATE) the client sends without waiting: dropped. */
    private boolean discarding;

    AppendInspection(ImapFrameReader reader, MessageInterception interception, Session session) {
        this.reader = reader;
        this.interception = interception;
        this.session = session;
    }

    /** True from the first segment until the command was forwarded or answered. */
    boolean isActive() {
        return command != null;
    }

    /** True while the client must not be read (the message is with the action). */
    boolean pausesClient() {
        return inspecting;
    }

    /** The first segment of an APPEND announcing its literal. */
    void begin(ImapCommand command, ImapFrame firstSegment) {
        String text = firstSegment.content().toString(ISO_8859_1);
        firstSegment.content().release();
        long size = firstSegment.announcedLiteral();
        boolean nonSynchronizing = firstSegment.isNonSynchronizing();
        if (interception.decide(size) != MessageInterception.SizeDecision.INSPECT) {
            session.log().info("APPEND of {} bytes refused: above the inspection limit", size);
            refuseLiteral(command.tag() + " NO [TOOBIG] The message is larger than the proxy can inspect", size, nonSynchronizing);
            return;
        }
        this.command = command;
        this.prefix = FetchItem.withoutLiteral(text);
        this.collector = interception.collector(size);
        this.literalDone = false;
        if (!nonSynchronizing) {
            session.reply("+ Ready for literal data");
        }
        if (size == 0) {
            literalDone = true;
        } else {
            reader.expectLiteral(size);
        }
    }

    private void refuseLiteral(String response, long size, boolean nonSynchronizing) {
        session.reply(response);
        if (nonSynchronizing && size > 0) {
            // The client sends it anyway: dropped, with the rest of its command line.
            discarding = true;
            reader.expectLiteral(size);
        }
    }

    /** @return true when the frame belongs to the upload (taken) */
    boolean takes(ImapFrame frame) {
        if (discarding) {
            frame.content().release();
            if (frame.isLiteralChunk()) {
                return true;
            }
            if (frame.announcesLiteral() && frame.isNonSynchronizing()) {
                reader.expectLiteral(frame.announcedLiteral());
            } else {
                discarding = false;
            }
            return true;
        }
        if (command == null) {
            return false;
        }
        if (frame.isLiteralChunk()) {
            collector.add(frame.content());
            literalDone = frame.isLastChunk();
            return true;
        }
        String rest = frame.content().toString(ISO_8859_1);
        frame.content().release();
        if (frame.announcesLiteral()) {
            String tag = command.tag();
            reset();
            session.reply(tag + " NO [CANNOT] This proxy inspects one message per APPEND (no MULTIAPPEND or CATENATE)");
            if (frame.isNonSynchronizing() && frame.announcedLiteral() > 0) {
                discarding = true;
                reader.expectLiteral(frame.announcedLiteral());
            }
            return true;
        }
        inspect(rest);
        return true;
    }

    private void inspect(String rest) {
        inspecting = true;
        byte[] message = collector.take();
        collector = null;
        interception.inspect(message, new VerdictRenderer() {
            @Override
            public void allowed(byte[] content, boolean modified) {
                forward(content, rest);
            }

            @Override
            public void denied(byte[] notice, String reason) {
                answer(command.tag() + " NO [CANNOT] Message refused by policy: " + oneLine(reason));
            }

            @Override
            public void tempfailed(byte[] notice, String reason) {
                answer(command.tag() + " NO [UNAVAILABLE] The message could not be inspected, try again later");
            }

            @Override
            public void closing() {
                session.closeWithFarewell("Connection closed by policy");
            }
        });
    }

    private static String oneLine(String reason) {
        return reason.replaceAll("[\\r\\n]+", " ");
    }

    private void forward(byte[] content, String rest) {
        ImapCommand forwarded = command;
        session.forwarded(forwarded);
        ByteBuf tail = Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(content), Lines.encode(rest));
        if (session.upstreamHasLiteralPlus()) {
            session.toUpstream(Lines.encode(prefix + "{" + content.length + "+}\r\n"));
            session.toUpstream(tail);
        } else {
            session.toUpstream(Lines.encode(prefix + "{" + content.length + "}\r\n"));
            awaitingContinuation = tail;
        }
        session.flushUpstream();
        finish();
    }

    private void answer(String line) {
        session.reply(line);
        finish();
    }

    private void finish() {
        reset();
        session.resumeClient();
    }

    private void reset() {
        command = null;
        prefix = null;
        inspecting = false;
        if (collector != null) {
            collector.release();
            collector = null;
        }
    }

    /** The server's {@code +}: @return true when it was for the inspected message (sent now, hidden from the client) */
    boolean continuationRequested() {
        if (awaitingContinuation == null) {
            return false;
        }
        session.toUpstream(awaitingContinuation);
        session.flushUpstream();
        awaitingContinuation = null;
        return true;
    }

    /** The server ended the command before its {@code +}: the held message is not sent. */
    void completed() {
        if (awaitingContinuation != null) {
            awaitingContinuation.release();
            awaitingContinuation = null;
        }
    }

    void release() {
        reset();
        completed();
    }
}
