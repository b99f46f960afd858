package org.jamesproxy.smtp;

import java.util.Arrays;
import java.util.Optional;

import org.jamesproxy.relay.DotStuffing;
import org.jamesproxy.relay.MessageCollector;
import org.jamesproxy.relay.MessageInterception;
import org.jamesproxy.relay.VerdictRenderer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One message from the client's DATA to the client's reply. No mail is lost: the message is read completely
 * (dot-unstuffed, bounded by maxMessageSize), inspected, and only then offered to the upstream (DATA, the re-stuffed
 * message, the final dot); the client's 250 is the upstream's 250 to the final dot, nothing else. Whatever goes wrong
 * before that gives the client a 4xx/5xx, and the upstream never sees a final dot of a message it must not deliver.
 */
final class MessageDelivery {
    /** Where a message stands between the client's final dot and the client's reply. */
    private enum Stage {
        NONE, INSPECTING, DATA_SENT, MESSAGE_SENT
    }

    private final SmtpConversation session;
    private final MessageInterception interception;
    private final SmtpCommandHandler dataReply = new DataReply();
    private final SmtpCommandHandler messageReply = new MessageReply();
    private final SmtpCommandHandler abandon = SimpleCommands.INTERNAL_RESET;
    private MessageCollector message;
    private boolean previousLineEndedCrlf;
    private boolean badLineEnding;
    private Stage stage = Stage.NONE;
    private byte[] outgoing;
    private int relayedCount;
    private int refusedCount;

    MessageDelivery(SmtpConversation session, MessageInterception interception) {
        this.session = session;
        this.interception = interception;
    }

    /** The client's DATA was answered 354: its lines are message data from now on. */
    void begin() {
        message = new MessageCollector(session.policy().getMaxMessageSize(), -1);
        previousLineEndedCrlf = true;
        badLineEnding = false;
    }

    /** True from the final dot until the client has its reply. */
    boolean isBusy() {
        return stage != Stage.NONE;
    }

    /**
     * One line of message data (the caller keeps ownership).
     *
     * @return true when it ended the message; the client is in command mode again
     */
    boolean onLine(ByteBuf line) {
        if (previousLineEndedCrlf && DotStuffing.isTerminator(line)) {
            complete();
            return true;
        }
        boolean crlf = DotStuffing.endsWithCrlf(line);
        int contentEnd = line.writerIndex() - (crlf ? 2 : 1);
        // SMTP smuggling (<LF>.<LF>, <CR>.<CR>, <LF>.<CR><LF>...) needs a bare CR or LF somewhere: refuse them all.
        if (!crlf || line.indexOf(line.readerIndex(), contentEnd, (byte) '\r') >= 0) {
            badLineEnding = true;
        }
        if (badLineEnding && isLooseTerminator(line)) {
            // The message is refused anyway and the connection closed after the reply, so ending at the first thing
            // that looks like an end cannot smuggle anything; waiting for a strict CRLF.CRLF could hang a sloppy client.
            complete();
            return true;
        }
        previousLineEndedCrlf = crlf;
        if (badLineEnding || message.isOverLimit()) {
            return false;
        }
        message.add(DotStuffing.unstuff(line).retain());
        if (message.isOverLimit()) {
            // Refused with 552 at the final dot; nothing more of it is kept.
            message.keepHeadOnly();
        }
        return false;
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

    private void complete() {
        if (badLineEnding) {
            // Like Postfix's smtpd_forbid_bare_newline=reject: refuse and disconnect, so that where the client thought
            // its message ended can never matter.
            refused("bare CR or LF in DATA (SMTP smuggling attempt?); closing");
            release();
            session.closeWith("550 5.6.0 Message refused: bare CR or LF in the message data (lines must end with CRLF)");
            return;
        }
        if (message.isOverLimit()) {
            refused("message over " + session.policy().getMaxMessageSize());
            release();
            refuse("552 5.3.4 Message size exceeds fixed maximum message size");
            return;
        }
        byte[] content = message.take();
        message = null;
        if (!interception.inspects()) {
            sendUpstream(content);
            return;
        }
        switch (interception.decide(content.length)) {
            case PASS_UNINSPECTED -> {
                interception.passedUninspected(content.length);
                sendUpstream(content);
            }
            case REPLACE_WITH_NOTICE -> interception.replaceOversize(
                Arrays.copyOf(content, Math.min(content.length, MessageCollector.NOTICE_HEADER_BYTES)), new Renderer(false));
            case INSPECT -> {
                stage = Stage.INSPECTING;
                interception.inspect(content, new Renderer(true));
            }
        }
    }

    private void refused(String why) {
        refusedCount++;
        session.proxy().refused.increment();
        session.log().warn("message refused: {}", why);
    }

    /** The client's reply; the upstream holds MAIL/RCPT of a message it will never get: RSET, its reply swallowed. */
    private void refuse(String reply) {
        session.localReply(reply);
        session.state().transaction().reset();
        abandon.onCommand(session, "RSET", "");
    }

    private void sendUpstream(byte[] content) {
        outgoing = DotStuffing.stuff(content);
        stage = Stage.DATA_SENT;
        session.forward(dataReply, "DATA", Optional.empty());
        session.flushUpstream();
    }

    /** The upstream's answer to our DATA: 354, then the message; anything else is the client's reply. */
    private final class DataReply implements SmtpCommandHandler.ReplyOnly {
        @Override
        public void onReply(SmtpConversation conversation, Optional<SmtpPath> path, boolean currentTransaction, SmtpReply reply) {
            if (reply.code() == 354) {
                stage = Stage.MESSAGE_SENT;
                conversation.expectReplyFirst(messageReply);
                conversation.writeUpstream(Unpooled.wrappedBuffer(outgoing));
                outgoing = null;
            } else {
                finish(reply);
                conversation.state().transaction().reset();
                abandon.onCommand(conversation, "RSET", "");
            }
        }
    }

    /** The upstream's reply to the final dot: the client's reply, 250 included. */
    private final class MessageReply implements SmtpCommandHandler.ReplyOnly {
        @Override
        public void onReply(SmtpConversation conversation, Optional<SmtpPath> path, boolean currentTransaction, SmtpReply reply) {
            finish(reply);
            conversation.state().transaction().reset();
        }
    }

    private void finish(SmtpReply reply) {
        stage = Stage.NONE;
        outgoing = null;
        if (reply.isPositive()) {
            relayedCount++;
            session.proxy().relayed.increment();
            session.log().info("message accepted by the mail server: {}", reply);
        } else {
            session.proxy().rejectedUpstream.increment();
            session.log().info("message refused by the mail server: {}", reply);
        }
        session.writeClient(reply.wire());
    }

    /**
     * A verdict as the reply to the final dot. Only an allowed message reaches the upstream; a refused one leaves the
     * upstream with MAIL/RCPT only.
     */
    private final class Renderer implements VerdictRenderer {
        private final boolean resumeClient;

        /** @param resumeClient the verdict came back from the inspection pool: the client leg is read on */
        Renderer(boolean resumeClient) {
            this.resumeClient = resumeClient;
        }

        @Override
        public void allowed(byte[] content, boolean modified) {
            stage = Stage.NONE;
            sendUpstream(content);
            resume();
        }

        @Override
        public void denied(byte[] notice, String reason) {
            refuseWith("554 5.7.1 " + oneLine(reason));
        }

        @Override
        public void tempfailed(byte[] notice, String reason) {
            // The client keeps the message and may retry.
            refuseWith("451 4.7.1 " + oneLine(reason));
        }

        /**
         * No reply to the final dot: the upstream has MAIL/RCPT but never got DATA from us, so closing its leg
         * delivers nothing. The client gets the 421 every SMTP server sends before closing, with no reason.
         */
        @Override
        public void closing() {
            stage = Stage.NONE;
            session.closeWith("421 4.7.0 " + session.proxy().helloName + " closing connection");
        }

        private void refuseWith(String reply) {
            stage = Stage.NONE;
            refuse(reply);
            resume();
        }

        private void resume() {
            if (resumeClient) {
                session.resume();
            }
        }
    }

    private static String oneLine(String text) {
        String flat = text.replaceAll("[\\r\\n]+", " ").trim();
        return flat.isEmpty() ? "Message refused by policy" : flat;
    }

    /** For the session's last log line. */
    String summary() {
        return relayedCount + " message(s) relayed, " + interception.deniedCount() + " denied, " + refusedCount + " refused";
    }

    void release() {
        if (message != null) {
            message.release();
            message = null;
        }
        outgoing = null;
    }
}
