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
        if (argument.isEmpty()) {
            session.localReply("501 5.5.4 Syntax: HELO hostname");
            return;
        }
        session.state().transaction().reset();
        session.forwardBarrier(this, line);
    }

    @Override
    public void onReply(SmtpConversation session, Optional<SmtpPath> path, boolean currentTransaction, SmtpReply reply) {
        session.state().greeted(session.state().isGreeted() || reply.isPositive());
        session.writeClient(reply.wire());
    }
}
