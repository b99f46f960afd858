package org.jamesproxy.smtp;

import java.util.List;
import java.util.Optional;

/** The commands the relay forwards without looking into them, and the ones it answers for itself. */
final class SimpleCommands {
    private SimpleCommands() {
    }

    /** RSET: a new transaction on both legs. */
    static final class Reset implements SmtpCommandHandler {
        @Override
        public List<String> verbs() {
            return List.of("RSET");
        }

        @Override
        public void onCommand(SmtpConversation session, String line, String argument) {
            session.state().transaction().reset();
            session.forward(this, line, Optional.empty());
        }
    }

    /** NOOP, VRFY, HELP: the upstream's answer is the client's. */
    static final class Relayed implements SmtpCommandHandler {
        @Override
        public List<String> verbs() {
            return List.of("NOOP", "VRFY", "HELP");
        }

        @Override
        public void onCommand(SmtpConversation session, String line, String argument) {
            session.forward(this, line, Optional.empty());
        }
    }

    /** QUIT: the upstream's 221 is the client's, then both legs close. */
    static final class Quit implements SmtpCommandHandler {
        @Override
        public List<String> verbs() {
            return List.of("QUIT");
        }

        @Override
        public boolean isBarrier() {
            return true;
        }

        @Override
        public void onCommand(SmtpConversation session, String line, String argument) {
            session.state().quitRequested();
            session.forwardBarrier(this, line);
        }

        @Override
        public void onReply(SmtpConversation session, Optional<SmtpPath> path, boolean currentTransaction, SmtpReply reply) {
            session.writeClient(reply.wire());
            session.closeAfterReplies();
        }
    }

    /** Commands a relay cannot carry faithfully (BDAT, ETRN, XCLIENT...): refused, never forwarded. */
    static final class NotAvailable implements SmtpCommandHandler {
        @Override
        public List<String> verbs() {
            return List.of("BDAT", "EXPN", "ETRN", "TURN", "ATRN", "BURL", "XCLIENT", "XFORWARD", "SEND", "SOML", "SAML");
        }

        @Override
        public void onCommand(SmtpConversation session, String line, String argument) {
            session.localReply("502 5.5.1 " + SmtpCommandLine.verb(line) + " is not available through this proxy");
        }
    }

    /** The proxy's RSET when the upstream holds MAIL/RCPT of a message it will never get: its reply is not the client's. */
    static final InternalReset INTERNAL_RESET = new InternalReset();

    static final class InternalReset implements SmtpCommandHandler {
        private InternalReset() {
        }

        @Override
        public List<String> verbs() {
            return List.of();
        }

        @Override
        public void onCommand(SmtpConversation session, String line, String argument) {
            session.forward(this, "RSET", Optional.empty());
        }

        @Override
        public void onReply(SmtpConversation session, Optional<SmtpPath> path, boolean currentTransaction, SmtpReply reply) {
            if (!reply.isPositive()) {
                session.log().warn("the mail server refused RSET: {}", reply);
            }
        }
    }
}
