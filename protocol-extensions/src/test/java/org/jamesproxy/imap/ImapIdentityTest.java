package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code <identityCommand>id</identityCommand>}: before the client's first command reaches it, the upstream (Dovecot
 * with login_trusted_networks) gets an RFC 2971 ID with the client's address and port and where it connected; the
 * upstream's own ID answer is not relayed. An upstream without ID fails the leg.
 */
class ImapIdentityTest {
    private ImapProxyFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new ImapProxyFixture();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private static String policy() {
        return ImapProxyFixture.policy("enabled", "<tls>none</tls><identityCommand>id</identityCommand>", "");
    }

    @Test
    void theUpstreamShouldGetTheClientsAddressInAnIdBeforeTheClientSpeaks() throws Exception {
        FakeImapUpstream upstream = fixture.upstream().greeting("* OK [CAPABILITY IMAP4rev1 ID AUTH=PLAIN] ready");
        fixture.start(policy(), upstream);
        ImapTestClient client = fixture.plainClient();

        String greeting = client.readLine();
        client.sendLine("a NOOP");
        List<String> noop = client.readUntilTagged("a");

        assertThat(greeting).startsWith("* OK");
        assertThat(upstream.receivedLines()).containsSubsequence("JMP3 ID (\"x-originating-ip\" \"127.0.0.1\" \"x-originating-port\" \""
            + client.socket().getLocalPort() + "\" \"x-connected-ip\" \"127.0.0.1\" \"x-connected-port\" \"" + fixture.plainPort()
            + "\")", "a NOOP");
        assertThat(noop).noneMatch(line -> line.contains("fake-imap"));
        assertThat(noop.get(noop.size() - 1)).startsWith("a OK");
    }

    @Test
    void anUpstreamWithoutIdShouldFailTheLeg() throws Exception {
        FakeImapUpstream upstream = fixture.upstream().greeting("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready");
        fixture.start(policy(), upstream);

        // The plain port greets in the proxy's words; the upstream leg opens at the first command.
        ImapTestClient client = fixture.plainClient();
        assertThat(client.readLine()).startsWith("* OK");
        client.sendLine("a CAPABILITY");
        String received = client.readUntilClosed();

        assertThat(received).startsWith("* BYE [UNAVAILABLE]");
        assertThat(upstream.receivedCommand("ID")).isFalse();
    }
}
