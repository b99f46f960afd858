package org.jamesproxy.smtp;

import java.util.List;

/**
 * DATA from the client: answered by the proxy (354), which reads the whole message before the upstream sees a DATA
 * of its own (see {@link MessageDelivery}).
 */
final class DataCommand implements SmtpCommandHandler {
    @Override
    public List<String> verbs() {
        return List.of("DATA");
    }

    @Override
    public boolean isBarrier() {
        return true;
    }

    @Override
    public void onCommand(SmtpConversation session, String line, String argument) {
        if (!argument.isEmpty()) {
            session.localReply("501 5.5.4 Syntax: DATA");
        } else if (session.state().transaction().mailState() != SmtpTransaction.MailState.ACCEPTED) {
            session.localReply("503 5.5.1 Need MAIL command");
        } else if (session.state().transaction().recipients().isEmpty()) {
            session.localReply("554 5.5.1 No valid recipients");
        } else {
            session.beginData();
            session.localReply("354 End data with <CR><LF>.<CR><LF>");
        }
    }
}
