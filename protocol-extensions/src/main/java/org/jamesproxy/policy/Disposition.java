package org.jamesproxy.policy;

/** What an access rule does with a connection, in the seeds' words: Allowed, Denied, Denied (send reset). */
public enum Disposition {
    ALLOWED,
    /** Refused the protocol's way ({@code * BYE}, {@code -ERR}, {@code 554}) and closed. */
    DENIED,
    /** Reset (SO_LINGER 0 then close): nothing is sent, the client sees a connection reset. */
    DENIED_RESET
}
