package org.jamesproxy.config;

/** What the proxy does with a client's TLS toward one destination. */
public enum TlsAction {
    /** Decrypt (with a certificate minted by the Proxy Authority), run the proxy action, re-encrypt toward the upstream. */
    INSPECT,
    /** Pass the TLS stream through untouched: the bytes are spliced, never decrypted. */
    ALLOW,
    /** Close the connection. */
    DROP
}
