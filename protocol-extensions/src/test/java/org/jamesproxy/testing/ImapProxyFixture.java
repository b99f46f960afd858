package org.jamesproxy.testing;

import org.jamesproxy.config.ImapPolicy;
import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.imap.ImapProtocol;

/**
 * The IMAP relay without James: a {@code <imapproxy>} policy, see {@link ProxyFixture}.
 */
public final class ImapProxyFixture extends ProxyFixture<ImapProxyFixture, FakeImapUpstream, ImapTestClient> {
    /** A policy on 127.0.0.1:0 with both listeners, toward a plain loopback upstream; {@code extra} goes inside. */
    public static String policy(String extra) {
        return policy("enabled", "<tls>none</tls>", extra);
    }

    /**
     * @param tlsSupport disabled | enabled | required
     * @param upstreamTls the inside of {@code <upstream>} besides host and port, e.g. {@code <tls>none</tls>}
     */
    public static String policy(String tlsSupport, String upstreamTls, String extra) {
        return policy("imapproxy", "relay-test", tlsSupport, upstreamTls, extra);
    }

    /**
     * A policy as {@link #policy(String)} with the {@code <helloName>} element of the test's choice instead of
     * {@link #FIXED_HELLO_NAME}, e.g. {@code <helloName autodetect="true"/>}, or {@code ""} for none.
     */
    public static String policyWithHelloName(String helloName, String extra) {
        return policy("imapproxy", "relay-test", "enabled", "<tls>none</tls>", helloName, extra);
    }

    public ImapProxyFixture() {
        super(ImapProtocol.INSTANCE,
            new Fakes<>(FakeImapUpstream::start, FakeImapUpstream::startImplicitTls, FakeImapUpstream::startTlsContext,
                ImapTestClient::connect, ImapTestClient::connectTls));
    }
}
