package org.jamesproxy.config;

import java.util.Map;
import java.util.function.Function;

import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * One kind of policy element of conf/mailproxy.xml ({@code <imapproxy>}, {@code <pop3proxy>}, {@code <smtpproxy>}):
 * its element name, how it is parsed, and its protocol-independent part. {@link MailProxyConfiguration} parses every
 * kind of {@link MailProxyConfiguration#POLICY_KINDS} the same way; a new protocol is one more policy class and one
 * more entry there.
 *
 * @param <P> the parsed policy
 */
public record PolicyKind<P>(String element, Parser<P> parser, Function<P, ProxyPolicy> common) {
    @FunctionalInterface
    public interface Parser<P> {
        P parse(ConfigValues element, Map<String, TlsProfile> profiles) throws ConfigurationException;
    }

    @Override
    public String toString() {
        return "<" + element + ">";
    }
}
