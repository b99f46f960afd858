package org.jamesproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

/** POP3's words for the contracts: untagged commands, {@code +OK} greeting and answers. */
public interface Pop3Dialect extends ProxyContract<FakePop3Upstream, ImapTestClient> {
    @Override
    default String policy(String extra) {
        return Pop3ProxyFixture.policy(extra);
    }

    @Override
    default String policy(String tlsSupport, String upstreamTls, String extra) {
        return Pop3ProxyFixture.policy(tlsSupport, upstreamTls, extra);
    }

    @Override
    default String metricPrefix() {
        return "pop3proxy";
    }

    @Override
    default String command(String tag, String command) {
        return command;
    }

    @Override
    default String verb(String commandLine) {
        return commandLine.split(" ")[0];
    }

    @Override
    default String answer(ImapTestClient client) throws IOException {
        return client.readLine();
    }

    @Override
    default String ok(String tag) {
        return "+OK";
    }

    @Override
    default ImapTestClient readyPlainClient() throws Exception {
        ImapTestClient client = fixture().plainClient();
        assertThat(client.readLine()).startsWith("+OK");
        return client;
    }

    @Override
    default ImapTestClient readyTlsClient() throws Exception {
        ImapTestClient client = fixture().tlsClient();
        assertThat(client.readLine()).startsWith("+OK");
        return client;
    }
}
