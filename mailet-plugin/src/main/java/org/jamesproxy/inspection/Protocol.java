package org.jamesproxy.inspection;

/** The wire protocol a message crossed the proxy on. */
public enum Protocol {
    IMAP, POP3, SMTP
}
