package org.jamesproxy.smtp;

import java.util.List;

/**
 * STARTTLS on the client leg (RFC 3207), answered by the proxy itself: the upstream leg has its own TLS. Advertised
 * only while the leg is plain and the policy has something to present.
 */
final class StartTlsCommand implements SmtpCommandHandler {
    @Override
    public List<String> verbs() {
        return List.of("STARTTLS");
    }

    @Override
    public boolean isBarrier() {
        return true;
    }

    @Override
    public void onCommand(SmtpConversation session, String line, String argument) {
        if (session.isTlsActive()) {
            session.localReply("503 5.5.1 TLS already active");
        } else if (!offered(session)) {
            session.localReply("502 5.5.1 STARTTLS is not available");
        } else if (!argument.isEmpty()) {
            session.localReply("501 5.5.4 Syntax: STARTTLS");
        } else if (session.state().isAuthenticated()) {
            session.localReply("503 5.5.1 STARTTLS is not permitted after authentication");
        } else {
            session.startTls();
        }
    }

    @Override
    public List<String> ehloKeywords(SmtpConversation session) {
        return offered(session) ? List.of("STARTTLS") : List.of();
    }

    private static boolean offered(SmtpConversation session) {
        return !session.isTlsActive() && session.policy().getPolicy().getTlsSupport().offersStartTls()
            && session.canPresentTls();
    }
}
