package org.jamesproxy.config;

/** How the proxy secures its leg to the real mail server. */
public enum UpstreamTls {
    /** TLS from the first byte (993/995/465). */
    IMPLICIT,
    /** Plain connection upgraded with the protocol's STARTTLS/STLS before anything else is sent. */
    STARTTLS,
    /** Cleartext: only toward loopback unless the admin forces it. */
    NONE
}
