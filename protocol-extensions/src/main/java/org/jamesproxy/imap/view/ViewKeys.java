package org.jamesproxy.imap.view;

/** Builds the scope string VerdictCache.invalidate takes. */
public final class ViewKeys {
    private ViewKeys() {
    }

    public static String scope(String upstream, String user, String mailbox) {
        return upstream + '\u0000' + user + '\u0000' + mailbox;
    }
}
