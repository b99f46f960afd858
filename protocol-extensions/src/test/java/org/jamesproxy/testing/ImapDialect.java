package org.jamesproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

/** IMAP's words for the contracts: tagged commands, {@code * OK} greeting, {@code <tag> OK} answers. */
public interface ImapDialect extends ProxyContract<FakeImapUpstream, ImapTestClient> {
    @Override
    default String policy(String extra) {
        return ImapProxyFixture.policy(extra);
    }

    @Override
    default String policy(String tlsSupport, String upstreamTls, String extra) {
        return ImapProxyFixture.policy(tlsSupport, upstreamTls, extra);
    }

    @Override
    default String metricPrefix() {
        return "imapproxy";
    }

    @Override
    default String command(String tag, String command) {
        return tag + " " + command;
    }

    @Override
    default String verb(String commandLine) {
        return commandLine.split(" ")[1];
    }

    @Override
    default String answer(ImapTestClient client) throws IOException {
        return client.readLine();
    }

    @Override
    default String ok(String tag) {
        return tag + " OK";
    }

    @Override
    default ImapTestClient readyPlainClient() throws Exception {
        ImapTestClient client = fixture().plainClient();
        assertThat(client.readLine()).startsWith("* OK");
        return client;
    }

    @Override
    default ImapTestClient readyTlsClient() throws Exception {
        ImapTestClient client = fixture().tlsClient();
        assertThat(client.readLine()).startsWith("* OK");
        return client;
    }
}
