package org.jamesproxy.config;

/**
 * How the proxy tells a non-James upstream who the client is, in the upstream's own protocol
 * ({@code <upstream><identityCommand>}), for servers that trust the proxy's address for it. Sent by the upstream
 * prelude, before any client command; the upstream's answer is never shown to the client.
 */
public enum IdentityCommand {
    NONE,
    /**
     * SMTP {@code XCLIENT ADDR=... PORT=...} (Postfix {@code smtpd_authorized_xclient_hosts}), then EHLO again as
     * the upstream greets anew.
     */
    XCLIENT,
    /**
     * IMAP {@code ID ("x-originating-ip" ... "x-originating-port" ... "x-connected-ip" ... "x-connected-port" ...)}
     * (Dovecot {@code login_trusted_networks}), before login.
     */
    ID
}
