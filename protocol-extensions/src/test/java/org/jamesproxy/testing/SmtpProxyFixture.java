package org.jamesproxy.testing;

import org.jamesproxy.config.SmtpPolicy;
import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.smtp.SmtpProtocol;

/**
 * The SMTP relay without James: a {@code <smtpproxy>} policy, see {@link ProxyFixture}.
 */
public final class SmtpProxyFixture extends ProxyFixture<SmtpProxyFixture, FakeSmtpUpstream, SmtpTestClient> {
    /** A policy on 127.0.0.1:0 with both listeners, toward a plain loopback upstream; {@code extra} goes inside. */
    public static String policy(String extra) {
        return policy("enabled", "<tls>none</tls>", extra);
    }

    /**
     * @param tlsSupport disabled | enabled | required
     * @param upstreamTls the inside of {@code <upstream>} besides host and port, e.g. {@code <tls>none</tls>}
     */
    public static String policy(String tlsSupport, String upstreamTls, String extra) {
        return policy("smtpproxy", "smtp-test", tlsSupport, upstreamTls, extra);
    }

    /**
     * A policy as {@link #policy(String)} with the {@code <helloName>} element of the test's choice instead of
     * {@link #FIXED_HELLO_NAME}, e.g. {@code <helloName autodetect="true"/>}, or {@code ""} for none.
     */
    public static String policyWithHelloName(String helloName, String extra) {
        return policy("smtpproxy", "smtp-test", "enabled", "<tls>none</tls>", helloName, extra);
    }

    /** STARTTLS toward the upstream when it offers it, trusting the test CA. */
    public static String opportunisticUpstreamXml() {
        return "<tls>starttls</tls><opportunisticStartTls>true</opportunisticStartTls><trustStore>${truststore}</trustStore>";
    }

    public SmtpProxyFixture() {
        super(SmtpProtocol.INSTANCE,
            new Fakes<>(FakeSmtpUpstream::start, FakeSmtpUpstream::startImplicitTls, FakeSmtpUpstream::startTlsContext,
                SmtpTestClient::connect, SmtpTestClient::connectTls));
    }
}
