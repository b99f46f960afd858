package org.jamesproxy.smtp;

import java.util.List;
import java.util.Optional;

/** RCPT TO: syntax and the policy's recipient rules, then forwarded; a recipient counts once the upstream accepts it. */
final class RcptCommand implements SmtpCommandHandler {
    private final List<EnvelopeRule> rules;

    RcptCommand(List<EnvelopeRule> rules) {
        this.rules = rules;
    }

    @Override
    public List<String> verbs() {
        return List.of("RCPT");
    }

    @Override
    public void onCommand(SmtpConversation session, String line, String argument) {
        if (session.state().transaction().mailState() == SmtpTransaction.MailState.NONE) {
            session.localReply("503 5.5.1 Need MAIL before RCPT");
            return;
        }
        Optional<SmtpPath> path = SmtpPath.parse(argument, "TO");
        if (path.isEmpty() || path.get().isNull()) {
            session.localReply("501 5.5.4 Syntax: RCPT TO:<address>");
            return;
        }
        if (!EnvelopeRule.passes(rules, path.get(), session)) {
            return;
        }
        session.state().transaction().recipientSent();
        session.forward(this, line, path);
    }

    @Override
    public void onReply(SmtpConversation session, Optional<SmtpPath> path, boolean currentTransaction, SmtpReply reply) {
        if (currentTransaction) {
            session.state().transaction().recipientAnswered(reply.isPositive(), path.flatMap(SmtpPath::mailAddress));
        }
        session.writeClient(reply.wire());
    }
}
