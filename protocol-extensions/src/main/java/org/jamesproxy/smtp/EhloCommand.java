package org.jamesproxy.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * EHLO: a new session state (RFC 5321 4.1.4), forwarded so that the upstream knows the client's name; its answer is
 * rewritten to what the relay carries: the upstream's plain keywords plus what each handler advertises.
 */
final class EhloCommand implements SmtpCommandHandler {
    private final List<SmtpCommandHandler> advertisers;

    /** @param advertisers the session's other handlers, asked for their EHLO keywords in this order (SIZE first) */
    EhloCommand(List<SmtpCommandHandler> advertisers) {
        this.advertisers = advertisers;
    }

    @Override
    public List<String> verbs() {
        return List.of("EHLO");
    }

    @Override
    public boolean isBarrier() {
        return true;
    }

    @Override
    public void onCommand(SmtpConversation session, String line, String argument) {
        HeloCommand.greet(this, session, line, argument);
    }

    @Override
    public void onReply(SmtpConversation session, Optional<SmtpPath> path, boolean currentTransaction, SmtpReply reply) {
        if (reply.code() != 250) {
            session.writeClient(reply.wire());
            return;
        }
        session.state().upstreamKeywords(SmtpExtensions.keywords(reply));
        session.state().greeted(true);
        List<String> keywords = new ArrayList<>();
        advertisers.forEach(handler -> keywords.addAll(handler.ehloKeywords(session)));
        keywords.addAll(ehloKeywords(session));
        session.writeClient(SmtpExtensions.reply(session.proxy().helloName + " Hello " + session.remoteAddress(), keywords));
    }

    @Override
    public List<String> ehloKeywords(SmtpConversation session) {
        return SmtpExtensions.passedThrough(session.state().upstreamKeywords());
    }
}
