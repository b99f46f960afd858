package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.jamesproxy.relay.DotStuffing;
import org.jamesproxy.relay.InputBuffer;

import io.netty.buffer.ByteBuf;

/**
 * Frames the mail server's answer to the one forwarded command, as its {@link Pop3Decision.Answer} says: the status
 * line, SASL challenges, a listing streamed within its bound, the CAPA list rewritten, and a message either streamed
 * or handed line by line to the {@link MessageBody} that intercepts it.
 */
final class Pop3AnswerReader {
    /** An answer the relay cannot pass on in step with the mail server: the session ends. */
    static final class UnrelayableAnswerException extends Exception {
        private final String farewell;

        UnrelayableAnswerException(String logged, String farewell) {
            super(logged);
            this.farewell = farewell;
        }

        String farewell() {
            return farewell;
        }
    }

    /** Where the lines of a message answer go when the policy intercepts messages ({@link Pop3Retrieval}). */
    interface MessageBody {
        boolean intercepts();

        /**
         * A message answer begins; its status line is the body's to write (or to replace).
         *
         * @param topLines TOP's line count, -1 for RETR
         * @param wholeForTop the mail server was asked the whole message for that TOP
         */
        void start(String statusLine, int topLines, boolean wholeForTop);

        /**
         * Takes ownership of {@code line}, the terminator included.
         *
         * @return true when the rest of the message is to be relayed as it is (oversize pass)
         */
        boolean onLine(ByteBuf line);
    }

    private static final String UNRELAYABLE = "[SYS/TEMP] The mail server sent an answer the proxy cannot relay";

    private enum Body {
        STATUS, STREAM, CAPA, MESSAGE
    }

    private final InputBuffer upstreamIn;
    private final MessageBody messages;
    private final Pop3AnswerSink client;
    private final Supplier<Pop3Capabilities.ClientLeg> clientLeg;
    private final long maxListingSize;
    private final Pop3MultiLineStream stream = new Pop3MultiLineStream();

    private Body body = Body.STATUS;
    private List<String> capaLines;
    private long capaBytes;

    /** @param clientLeg the client leg at the moment the CAPA list is sent */
    Pop3AnswerReader(InputBuffer upstreamIn, MessageBody messages, Pop3AnswerSink client,
                     Supplier<Pop3Capabilities.ClientLeg> clientLeg, long maxListingSize) {
        this.upstreamIn = upstreamIn;
        this.messages = messages;
        this.client = client;
        this.clientLeg = clientLeg;
        this.maxListingSize = maxListingSize;
    }

    /**
     * Takes one line, or one streamed slice, of the answer to {@code command}.
     *
     * @return false when more bytes are needed
     */
    boolean step(Pop3Decision.Forward command) throws UnrelayableAnswerException {
        if (body == Body.STREAM) {
            boolean terminated = stream.relay(upstreamIn, client::write);
            if (stream.isOverLimit()) {
                throw new UnrelayableAnswerException("listing larger than " + maxListingSize + " bytes", UNRELAYABLE);
            }
            if (terminated) {
                client.answered(true);
            }
            return terminated;
        }
        ByteBuf line;
        try {
            line = upstreamIn.nextLine();
        } catch (InputBuffer.LineTooLongException e) {
            throw new UnrelayableAnswerException("upstream line too long: " + e.getMessage(),
                "[SYS/TEMP] The mail server sent a line the proxy cannot relay");
        }
        if (line == null) {
            return false;
        }
        if (body == Body.STATUS) {
            onStatusLine(line, command);
        } else {
            onBodyLine(line);
        }
        return true;
    }

    /** The answer is complete (the session learnt it through {@link Pop3AnswerSink#answered}): the next is a status line. */
    void reset() {
        body = Body.STATUS;
        capaLines = null;
    }

    private void onStatusLine(ByteBuf line, Pop3Decision.Forward command) {
        String text = line.toString(ISO_8859_1);
        boolean ok = text.startsWith("+OK");
        Pop3Decision.Answer answer = command.answer();
        if (!ok && text.startsWith("+") && answer == Pop3Decision.Answer.SASL) {
            // A SASL challenge (RFC 5034): the client's next line is its response, not a command.
            client.write(line);
            client.challenged();
            return;
        }
        if (!ok || answer == Pop3Decision.Answer.SINGLE_LINE || answer == Pop3Decision.Answer.SASL) {
            client.write(line);
            client.answered(ok);
            return;
        }
        switch (answer) {
            case CAPA:
                line.release();
                capaLines = new ArrayList<>();
                capaBytes = 0;
                body = Body.CAPA;
                return;
            case LISTING:
                client.write(line);
                startStreaming(maxListingSize);
                return;
            default:
                if (!messages.intercepts()) {
                    client.write(line);
                    startStreaming(Long.MAX_VALUE);
                    return;
                }
                line.release();
                messages.start(text.strip(), command.topLines(), command.topOfWholeMessage());
                body = Body.MESSAGE;
        }
    }

    private void startStreaming(long limit) {
        body = Body.STREAM;
        stream.start(limit);
    }

    private void onBodyLine(ByteBuf line) throws UnrelayableAnswerException {
        if (body == Body.MESSAGE) {
            if (messages.onLine(line)) {
                startStreaming(Long.MAX_VALUE);
            }
            return;
        }
        capaBytes += line.readableBytes();
        if (capaBytes > maxListingSize) {
            line.release();
            throw new UnrelayableAnswerException("CAPA answer larger than " + maxListingSize + " bytes", UNRELAYABLE);
        }
        if (DotStuffing.isTerminator(line)) {
            line.release();
            client.writeLine("+OK Capability list follows");
            Pop3Capabilities.rewrite(capaLines, clientLeg.get()).forEach(client::writeLine);
            client.writeLine(".");
            client.answered(true);
            return;
        }
        capaLines.add(DotStuffing.unstuff(line).toString(ISO_8859_1).trim());
        line.release();
    }
}
