package org.jamesproxy.smtp;

import java.util.List;

import org.jamesproxy.relay.SaslUser;

import com.google.common.collect.ImmutableList;

/**
 * What one SMTP session knows about its client, as the command handlers read and change it: greeted, authenticated
 * (and as whom), the mail transaction, the upstream's EHLO keywords, and whether the client said QUIT.
 */
final class SmtpSessionState {
    private final SaslUser user = new SaslUser();
    private final SmtpTransaction transaction = new SmtpTransaction();
    private List<String> upstreamKeywords = ImmutableList.of();
    private boolean greeted;
    private boolean authenticated;
    private boolean quitRequested;

    SaslUser user() {
        return user;
    }

    SmtpTransaction transaction() {
        return transaction;
    }

    /** From the upstream's greeting exchange, then from the client's EHLO. */
    List<String> upstreamKeywords() {
        return upstreamKeywords;
    }

    void upstreamKeywords(List<String> keywords) {
        upstreamKeywords = keywords;
    }

    boolean isGreeted() {
        return greeted;
    }

    void greeted(boolean value) {
        greeted = value;
    }

    boolean isAuthenticated() {
        return authenticated;
    }

    void authenticated() {
        authenticated = true;
    }

    /** The upstream closing its leg after the reply to QUIT is the end of the session, not a failure. */
    boolean isQuitRequested() {
        return quitRequested;
    }

    void quitRequested() {
        quitRequested = true;
    }
}
