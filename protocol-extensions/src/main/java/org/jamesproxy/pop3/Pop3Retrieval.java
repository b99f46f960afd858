package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;

import org.jamesproxy.relay.DotStuffing;
import org.jamesproxy.relay.MessageCollector;
import org.jamesproxy.relay.MessageInterception;
import org.jamesproxy.relay.MessageSections;
import org.jamesproxy.relay.SessionLog;
import org.jamesproxy.relay.VerdictRenderer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The proxy action over RETR, and over TOP: the message lines after "+OK" are de-stuffed and collected (bounded by
 * the inspection limit, {@code oversize} pass or replace), inspected through {@link MessageInterception}, and the
 * verdict rendered as the answer, re-stuffed. With {@code partialFetch inspect} (the default) the mail server was
 * asked the whole message for a TOP ({@link Pop3Commands}): it is inspected whole and the client gets the header and
 * the first lines of what the action left, so TOP shows nothing RETR would not. Otherwise a TOP that did not reach
 * the end of the message is inspected by its header section ({@code pass}) or refused ({@code deny}).
 */
final class Pop3Retrieval implements Pop3AnswerReader.MessageBody {
    private final MessageInterception interception;
    private final SessionLog log;
    private final Pop3AnswerSink client;

    private String statusLine;
    private int topLines;
    /** The mail server sends the whole message for this TOP: the client's lines are cut from the inspected one. */
    private boolean wholeForTop;
    private MessageCollector held;
    /** An oversize message passing uninspected for a TOP: body lines still to relay, -1 when not cutting. */
    private int cutLinesLeft = -1;
    /** Over the limit with {@code oversize replace}: only the head is kept, for the notice. */
    private boolean discarding;

    Pop3Retrieval(MessageInterception interception, SessionLog log, Pop3AnswerSink client) {
        this.interception = interception;
        this.log = log;
        this.client = client;
    }

    @Override
    public boolean intercepts() {
        return interception.inspects();
    }

    boolean inspectsPartialRetrieval() {
        return interception.inspectsPartialRetrieval();
    }

    /** True while a message is with the proxy action: the upstream leg waits. */
    boolean isInspecting() {
        return interception.isInspecting();
    }

    @Override
    public void start(String statusLine, int topLines, boolean wholeForTop) {
        this.statusLine = statusLine;
        this.topLines = topLines;
        this.wholeForTop = wholeForTop;
        this.cutLinesLeft = -1;
        this.discarding = false;
        this.held = interception.collector(-1);
    }

    @Override
    public boolean onLine(ByteBuf line) {
        if (cutLinesLeft >= 0) {
            return onCutLine(line);
        }
        if (DotStuffing.isTerminator(line)) {
            line.release();
            if (discarding) {
                // Rendered within the upstream loop reading this answer: it goes on by itself.
                Retrieval answer = wholeForTop ? new TopOfInspected(topLines) : WholeMessage.INSTANCE;
                interception.replaceOversize(takeHeld(), new MessageRenderer(answer, false));
            } else {
                onMessageComplete();
            }
            return false;
        }
        held.add(DotStuffing.unstuff(line));
        return !discarding && held.isOverLimit() && onOversize();
    }

    /** @return true when the message passes uninspected: the rest is relayed as it is */
    private boolean onOversize() {
        if (interception.decide(held.received()) == MessageInterception.SizeDecision.REPLACE_WITH_NOTICE) {
            held.keepHeadOnly();
            discarding = true;
            return false;
        }
        interception.passedUninspected(held.received());
        client.writeLine(statusLine);
        byte[] lines = takeHeld();
        int headerEnd = wholeForTop ? MessageSections.headerEnd(lines) : -1;
        if (headerEnd >= 0) {
            // The client asked for the header and topLines body lines only: the rest is read and dropped.
            byte[] top = topOf(lines, headerEnd, topLines);
            cutLinesLeft = topLines - countLines(top, headerEnd);
            lines = top;
        }
        byte[] stuffed = DotStuffing.stuff(lines);
        // Whole lines so far: re-stuffed, without the terminator that stuff() appends; the rest streams as it is.
        client.write(Unpooled.wrappedBuffer(stuffed, 0, stuffed.length - 3));
        return cutLinesLeft < 0;
    }

    /** A line of an oversize message passing for a TOP, still dot-stuffed: relayed while the TOP wants lines. */
    private boolean onCutLine(ByteBuf line) {
        if (DotStuffing.isTerminator(line)) {
            line.release();
            cutLinesLeft = -1;
            client.writeLine(".");
            client.answered(true);
        } else if (cutLinesLeft > 0) {
            cutLinesLeft--;
            client.write(line);
        } else {
            line.release();
        }
        return false;
    }

    private byte[] takeHeld() {
        byte[] bytes = held.take();
        held = null;
        return bytes;
    }

    private void onMessageComplete() {
        byte[] message = takeHeld();
        if (wholeForTop) {
            interception.inspect(message, new MessageRenderer(new TopOfInspected(topLines), true));
            return;
        }
        if (topLines >= 0) {
            int headerEnd = MessageSections.headerEnd(message);
            int bodyLines = headerEnd < 0 ? 0 : countLines(message, headerEnd);
            // RFC 1939: TOP sends min(n, body lines) lines, so fewer lines than asked means the whole message.
            if (bodyLines >= topLines) {
                onPartialTop(message, headerEnd);
                return;
            }
        }
        interception.inspect(message, new MessageRenderer(WholeMessage.INSTANCE, true));
    }

    private void onPartialTop(byte[] message, int headerEnd) {
        if (interception.refusesPartialRetrieval()) {
            log.info("partial TOP refused by the policy");
            client.writeLine("-ERR [SYS/PERM] Partial retrieval is not permitted by the proxy policy, use RETR");
            client.answered(false);
            return;
        }
        // The header section is complete: inspected on its own, like an IMAP BODY[HEADER] fetch.
        byte[] header = headerEnd < 0 ? concat(message, "\r\n".getBytes(ISO_8859_1)) : Arrays.copyOf(message, headerEnd);
        interception.inspect(header, new MessageRenderer(new PartialTop(message, headerEnd, topLines), true));
    }

    /** For the session's last log line. */
    String summary() {
        return interception.summary();
    }

    void release() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    /** What the client gets of an inspected message: all of it, or what its TOP asked for. */
    private interface Retrieval {
        /** @param content the inspected bytes, or the action's modified copy */
        byte[] allowed(byte[] content, boolean modified);

        byte[] notice(byte[] notice);

        /** The mail server's status line still describes what the client gets when the action left it alone. */
        default boolean keepsStatusLine() {
            return true;
        }
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

    /** A TOP answered from the inspected whole message: its header and first lines, of the notice when denied. */
    private record TopOfInspected(int lines) implements Retrieval {
        @Override
        public byte[] allowed(byte[] content, boolean modified) {
            return top(content);
        }

        @Override
        public byte[] notice(byte[] notice) {
            return top(notice);
        }

        @Override
        public boolean keepsStatusLine() {
            return false;
        }

        private byte[] top(byte[] message) {
            int headerEnd = MessageSections.headerEnd(message);
            return headerEnd < 0 ? message : topOf(message, headerEnd, lines);
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
            return topOf(notice, Math.max(0, MessageSections.headerEnd(notice)), lines);
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
            deliver(answer.allowed(content, modified),
                modified || !answer.keepsStatusLine() ? Optional.empty() : Optional.of(statusLine));
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
            client.closeWithFarewell("[SYS/PERM] Connection closed by policy");
        }

        private void deliver(byte[] content, Optional<String> originalStatus) {
            client.writeLine(originalStatus.orElse("+OK " + content.length + " octets"));
            client.write(Unpooled.wrappedBuffer(DotStuffing.stuff(content)));
            client.answered(true);
            if (resumeUpstream) {
                client.resume();
            }
        }
    }

    static int countLines(byte[] message, int from) {
        int lines = 0;
        for (int i = from; i < message.length; i++) {
            if (message[i] == '\n') {
                lines++;
            }
        }
        return message.length > from && message[message.length - 1] != '\n' ? lines + 1 : lines;
    }

    /** What TOP answers: the header section (up to {@code headerEnd}) and the first {@code lines} body lines. */
    private static byte[] topOf(byte[] message, int headerEnd, int lines) {
        return concat(Arrays.copyOf(message, headerEnd), firstLines(message, headerEnd, lines));
    }

    static byte[] firstLines(byte[] content, int from, int count) {
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
}
