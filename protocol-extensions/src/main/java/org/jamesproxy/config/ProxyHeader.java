package org.jamesproxy.config;

/**
 * Whether the proxy opens each upstream connection with an HAProxy PROXY protocol header naming the real client
 * ({@code <upstream><proxyProtocol>}): the upstream (James with {@code <proxyRequired>true</proxyRequired>}, Dovecot
 * with {@code haproxy_trusted_networks}, Postfix with {@code smtpd_upstream_proxy_protocol}) then logs, limits and
 * authorises the client's address instead of the proxy's.
 */
public enum ProxyHeader {
    NONE,
    /** The text header ({@code PROXY TCP4 ...\r\n}). */
    V1,
    /** The binary header; what James's and most servers' decoders prefer. */
    V2
}
