package org.jamesproxy.testing;

import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.config.Pop3Policy;
import org.jamesproxy.pop3.Pop3Protocol;

/**
 * The POP3 relay without James: a {@code <pop3proxy>} policy, see {@link ProxyFixture}. Its clients are raw line
 * clients: the IMAP test client is protocol-neutral at this level.
 */
public final class Pop3ProxyFixture extends ProxyFixture<Pop3ProxyFixture, FakePop3Upstream, ImapTestClient> {
    /** A policy on 127.0.0.1:0 with both listeners, toward a plain loopback upstream; {@code extra} goes inside. */
    public static String policy(String extra) {
        return policy("enabled", "<tls>none</tls>", extra);
    }

    /**
     * @param tlsSupport disabled | enabled | required
     * @param upstreamTls the inside of {@code <upstream>} besides host and port, e.g. {@code <tls>none</tls>}
     */
    public static String policy(String tlsSupport, String upstreamTls, String extra) {
        return policy("pop3proxy", "relay-test", tlsSupport, upstreamTls, extra);
    }

    /**
     * A policy as {@link #policy(String)} with the {@code <helloName>} element of the test's choice instead of
     * {@link #FIXED_HELLO_NAME}, e.g. {@code <helloName autodetect="true"/>}, or {@code ""} for none.
     */
    public static String policyWithHelloName(String helloName, String extra) {
        return policy("pop3proxy", "relay-test", "enabled", "<tls>none</tls>", helloName, extra);
    }

    public Pop3ProxyFixture() {
        super(Pop3Protocol.INSTANCE,
            new Fakes<>(FakePop3Upstream::start, FakePop3Upstream::startImplicitTls, FakePop3Upstream::stlsContext,
                ImapTestClient::connect, ImapTestClient::connectTls));
    }
}
