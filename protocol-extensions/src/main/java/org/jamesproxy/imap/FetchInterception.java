package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import org.jamesproxy.relay.MessageCollector;
import org.jamesproxy.relay.MessageInterception;
import org.jamesproxy.relay.MessageInterception.SizeDecision;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * What the client sees of the literals in FETCH responses. {@link #handling} decides per data item and size: whole
 * messages and header sections go through the proxy action ({@link MessageInterception}) and come back as a
 * literal of the verdict's length ({@link FetchLiteralRenderer}); other partial items stream, or become NIL where the
 * policy refuses partial fetches. One literal is held at a time; while it is, the upstream's bytes stay here.
 * <p>
 * This is the seam for partial-fetch safety: a new way of answering a data item (cut from an inspected whole
 * message, a verdict cache) is a new {@link Handling}, decided in {@link #handling} and rendered in {@link #complete}.
 */
final class FetchInterception {
    /** What happens to the literal a FETCH response segment announced. */
    enum Handling {
        STREAM,
        /** Above the inspection limit with {@code oversize pass}: streamed, and counted. */
        PASS_UNINSPECTED,
        INSPECT,
        /** Above the inspection limit with {@code oversize replace}: dropped, the deny notice is sent instead. */
        REPLACE_WITH_NOTICE,
        /** A partial item the policy refuses: dropped, NIL is sent instead. */
        REPLACE_WITH_NIL
    }

    /** The client leg, as the interception writes to it. */
    interface Client {
        void write(ByteBuf bytes);

        void closeWithFarewell(String reason);

        /** A verdict came back from the inspection pool: the upstream's responses go on. */
        void resumeUpstream();
    }

    private final MessageInterception interception;
    private final Client client;
    /** Non-null while a literal is held: what becomes of it once complete. */
    private Handling held;
    private String heldSegment;
    private FetchItem heldItem;
    private MessageCollector heldLiteral;

    FetchInterception(MessageInterception interception, Client client) {
        this.interception = interception;
        this.client = client;
    }

    static Handling handling(FetchItem item, SizeDecision bySize, boolean partialFetchRefused) {
        return switch (item) {
            case FULL_MESSAGE, HEADER -> switch (bySize) {
                case INSPECT -> Handling.INSPECT;
                case REPLACE_WITH_NOTICE -> Handling.REPLACE_WITH_NOTICE;
                case PASS_UNINSPECTED -> Handling.PASS_UNINSPECTED;
            };
            case PARTIAL -> partialFetchRefused ? Handling.REPLACE_WITH_NIL : Handling.STREAM;
            case OTHER -> Handling.STREAM;
        };
    }

    /**
     * A FETCH response segment that announces a literal of {@code size} bytes.
     *
     * @return true when the segment and its literal are held here (the segment is released); false: relay both
     */
    boolean holds(ByteBuf segment, long size) {
        if (!interception.inspects()) {
            return false;
        }
        String text = segment.toString(ISO_8859_1);
        FetchItem item = FetchItem.classify(text);
        Handling handling = handling(item, interception.decide(size), interception.refusesPartialRetrieval());
        if (handling == Handling.PASS_UNINSPECTED) {
            interception.passedUninspected(size);
        }
        if (handling == Handling.STREAM || handling == Handling.PASS_UNINSPECTED) {
            return false;
        }
        held = handling;
        heldItem = item;
        heldSegment = FetchItem.withoutLiteral(text);
        segment.release();
        heldLiteral = handling == Handling.INSPECT ? interception.collector(size) : MessageCollector.headOnly();
        if (size == 0) {
            complete();
        }
        return true;
    }

    /** @return true when the literal chunk belongs to the held literal (taken); false: relay it */
    boolean takes(ImapFrame chunk) {
        if (held == null) {
            return false;
        }
        heldLiteral.add(chunk.content());
        if (chunk.isLastChunk()) {
            complete();
        }
        return true;
    }

    /** True while a message is collected for inspection. */
    boolean isCollecting() {
        return held == Handling.INSPECT;
    }

    private void complete() {
        byte[] content = heldLiteral.take();
        heldLiteral = null;
        Handling handling = held;
        held = null;
        switch (handling) {
            case INSPECT -> interception.inspect(content, new FetchLiteralRenderer(heldSegment, heldItem, client, true));
            // NIL takes the literal's place inside the response line: no CRLF, the rest of the line follows.
            case REPLACE_WITH_NIL -> client.write(Unpooled.copiedBuffer(heldSegment + "NIL", ISO_8859_1));
            // Rendered within the upstream loop that is reading this response: it goes on by itself.
            case REPLACE_WITH_NOTICE -> interception.replaceOversize(content,
                new FetchLiteralRenderer(heldSegment, heldItem, client, false));
            default -> throw new IllegalStateException("not a held literal: " + handling);
        }
    }

    void release() {
        if (heldLiteral != null) {
            heldLiteral.release();
            heldLiteral = null;
        }
    }
}
