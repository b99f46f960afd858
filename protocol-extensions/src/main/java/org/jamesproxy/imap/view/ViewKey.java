package org.jamesproxy.imap.view;

/** Identifies one inspected message; the fingerprint changes when the proxy action or inspection settings do. */
public record ViewKey(String upstream, String user, String mailbox, long uidValidity, long uid, String actionFingerprint) {

    public String scopeUserMailbox() {
        return ViewKeys.scope(upstream, user, mailbox);
    }
}
