package org.jamesproxy.inspection;

/**
 * What the proxy action decided for a message.
 * <ul>
 *   <li>{@link #ALLOW}: the (possibly modified) message goes on the wire.</li>
 *   <li>{@link #DENY}: the message is refused; IMAP/POP3 hand the client a deny notice instead, SMTP answers 554.</li>
 * </ul>
 */
public enum Verdict {
    ALLOW, DENY
}
