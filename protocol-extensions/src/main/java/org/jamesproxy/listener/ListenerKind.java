package org.jamesproxy.listener;

/** The two listeners a policy's tlsSupport can bind. */
public enum ListenerKind {
    /** Plain port, with STARTTLS when the policy's tlsSupport is enabled. */
    PLAIN,
    /** TLS from the first byte. */
    IMPLICIT_TLS
}
