package org.jamesproxy.smtp;

import java.util.List;
import java.util.Optional;

/** HELO: as EHLO without extensions; the upstream's answer goes back as it is. */
final class HeloCommand implements SmtpCommandHandler {
    @Override
    public List<String> verbs() {
        return List.of("HELO");
    }

    @Override
    public boolean isBarrier() {
        return true;
    }

    @Override
    public void onCommand(SmtpConversation session, String line, String argument) {
        greet(this, session, line, argument);
    }

    /** EHLO and HELO alike: a name is required, and the session starts over (RFC 5321 4.1.4). */
    static void greet(SmtpCommandHandler handler, SmtpConversation session, String line, String argument) {
        if (argument.isEmpty()) {
            session.localReply("501 5.5.4 Syntax: " + handler.verbs().get(0) + " hostname");
            return;
        }
        session.state().transaction().reset();
        session.forwardBarrier(handler, line);
    }

    @Override
    public void onReply(SmtpConversation session, Optional<SmtpPath> path, boolean currentTransaction, SmtpReply reply) {
        session.state().greeted(session.state().isGreeted() || reply.isPositive());
        session.writeClient(reply.wire());
    }
}
