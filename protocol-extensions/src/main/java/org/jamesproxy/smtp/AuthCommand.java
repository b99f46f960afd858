package org.jamesproxy.smtp;

import java.util.List;
import java.util.Optional;

/**
 * AUTH (RFC 4954), relayed: the upstream checks the credentials; the proxy only refuses them on a plain leg (unless
 * the admin allowed it), learns the user name for the logs, and advertises the upstream's mechanisms only where
 * credentials may be sent.
 */
final class AuthCommand implements SmtpCommandHandler {
    @Override
    public List<String> verbs() {
        return List.of("AUTH");
    }

    @Override
    public boolean isBarrier() {
        return true;
    }

    @Override
    public void onCommand(SmtpConversation session, String line, String argument) {
        if (session.state().isAuthenticated()) {
            session.localReply("503 5.5.1 Already authenticated");
        } else if (!session.authAllowed()) {
            session.log().warn("refused AUTH on a plain connection before STARTTLS");
            session.localReply("530 5.7.0 Must issue a STARTTLS command first");
        } else if (session.state().transaction().mailState() != SmtpTransaction.MailState.NONE) {
            session.localReply("503 5.5.1 AUTH is not permitted during a mail transaction");
        } else if (argument.isEmpty()) {
            session.localReply("501 5.5.4 Syntax: AUTH mechanism [initial-response]");
        } else {
            String[] words = argument.split("\\s+", 2);
            session.state().user().start(words[0], words.length > 1 ? Optional.of(words[1]) : Optional.empty());
            Optional<String> user = session.state().user().user();
            if (user.isPresent() && session.lockedOut(user.get())) {
                // Known with an initial response; the same answer as for wrong credentials.
                session.log().info("refused AUTH of user {}: locked out after failed logins", user.get());
                session.state().user().forget();
                session.localReply("535 5.7.8 Authentication credentials invalid");
                return;
            }
            session.forwardBarrier(this, line);
        }
    }

    /** A client line after a 334 challenge. */
    void onResponse(SmtpConversation session, String line) {
        session.state().user().onResponse(line);
        session.forwardBarrier(this, line);
    }

    @Override
    public void onReply(SmtpConversation session, Optional<SmtpPath> path, boolean currentTransaction, SmtpReply reply) {
        if (reply.code() == 334) {
            session.expectAuthResponse();
        } else if (reply.code() == 235) {
            session.authenticated();
        } else {
            session.log().warn("login failed for user {} (AUTH answered {})", session.state().user().user().orElse("(unknown)"),
                reply.code());
            session.authenticationFailed(reply);
            session.state().user().forget();
        }
        session.writeClient(reply.wire());
    }

    @Override
    public List<String> ehloKeywords(SmtpConversation session) {
        return session.authAllowed() ? SmtpExtensions.upstreamLine(session.state().upstreamKeywords(), "AUTH").stream().toList() : List.of();
    }
}
