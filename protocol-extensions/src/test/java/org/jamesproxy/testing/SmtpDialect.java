package org.jamesproxy.testing;

import java.io.IOException;

/** SMTP's words for the contracts: untagged commands, whole replies, {@code 250} answers, EHLO after the greeting. */
public interface SmtpDialect extends ProxyContract<FakeSmtpUpstream, SmtpTestClient> {
    @Override
    default String policy(String extra) {
        return SmtpProxyFixture.policy(extra);
    }

    @Override
    default String policy(String tlsSupport, String upstreamTls, String extra) {
        return SmtpProxyFixture.policy(tlsSupport, upstreamTls, extra);
    }

    @Override
    default String metricPrefix() {
        return "smtpproxy";
    }

    @Override
    default String command(String tag, String command) {
        return command;
    }

    @Override
    default String verb(String commandLine) {
        return commandLine.split("[ :]")[0];
    }

    @Override
    default String answer(SmtpTestClient client) throws IOException {
        return client.reply();
    }

    @Override
    default String ok(String tag) {
        return "250";
    }

    /** Greeting (220, checked by {@link SmtpTestClient#greetAndEhlo()}) and EHLO. */
    @Override
    default SmtpTestClient readyPlainClient() throws Exception {
        SmtpTestClient client = fixture().plainClient();
        client.greetAndEhlo();
        return client;
    }

    @Override
    default SmtpTestClient readyTlsClient() throws Exception {
        SmtpTestClient client = fixture().tlsClient();
        client.greetAndEhlo();
        return client;
    }
}
