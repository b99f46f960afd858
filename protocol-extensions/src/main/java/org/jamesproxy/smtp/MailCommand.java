package org.jamesproxy.smtp;

import java.util.List;
import java.util.Optional;

import org.apache.james.core.MaybeSender;

/** MAIL FROM: syntax and the policy's sender rules, then forwarded; the transaction starts when the upstream agrees. */
final class MailCommand implements SmtpCommandHandler {
    private final List<EnvelopeRule> rules;

    MailCommand(List<EnvelopeRule> rules) {
        this.rules = rules;
    }

    @Override
    public List<String> verbs() {
        return List.of("MAIL");
    }

    @Override
    public void onCommand(SmtpConversation session, String line, String argument) {
        if (session.policy().isRequireHelo() && !session.state().isGreeted()) {
            session.localReply("503 5.5.1 Send HELO/EHLO first");
            return;
        }
        if (session.state().transaction().mailState() != SmtpTransaction.MailState.NONE) {
            session.localReply("503 5.5.1 Sender already specified");
            return;
        }
        Optional<SmtpPath> path = SmtpPath.parse(argument, "FROM");
        if (path.isEmpty()) {
            session.localReply("501 5.5.4 Syntax: MAIL FROM:<address>");
            return;
        }
        if (!EnvelopeRule.passes(rules, path.get(), session)) {
            return;
        }
        session.state().transaction().mailSent();
        session.forward(this, line, path);
    }

    @Override
    public void onReply(SmtpConversation session, Optional<SmtpPath> path, boolean currentTransaction, SmtpReply reply) {
        if (currentTransaction) {
            session.state().transaction().mailAnswered(reply.isPositive(), path.map(SmtpPath::sender).orElse(MaybeSender.nullSender()));
        }
        if (reply.isPositive()) {
            session.transactionStarted();
        }
        session.writeClient(reply.wire());
    }

    /** SIZE is the proxy's own limit (or the upstream's, when lower): the proxy is the one that reads the data. */
    @Override
    public List<String> ehloKeywords(SmtpConversation session) {
        long limit = session.policy().getMaxMessageSize();
        long size = SmtpExtensions.upstreamSize(session.state().upstreamKeywords()).map(upstream -> Math.min(upstream, limit)).orElse(limit);
        return List.of("SIZE " + size);
    }
}
