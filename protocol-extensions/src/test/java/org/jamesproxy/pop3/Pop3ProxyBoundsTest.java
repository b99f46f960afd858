package org.jamesproxy.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.Pop3ProxyFixture.policy;

import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a client cannot make the proxy buffer: long lines, and unbounded pipelines. */
class Pop3ProxyBoundsTest {
    private Pop3ProxyFixture fixture;
    private FakePop3Upstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Pop3ProxyFixture();
        upstream = fixture.upstream();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void overLongCommandLineShouldCloseTheConnection() throws Exception {
        fixture.start(policy("<limits><maxLineLength>1K</maxLineLength></limits>"), upstream);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();

        client.sendLine("USER " + "a".repeat(2000));

        assertThat(client.readUntilClosed()).startsWith("-ERR");
        assertThat(upstream.receivedCommand("USER")).isFalse();
    }

    @Test
    void tooManyPipelinedCommandsShouldCloseTheConnection() throws Exception {
        fixture.start(policy("<limits><maxPipelinedCommands>4</maxPipelinedCommands></limits>"), upstream);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();

        client.send("NOOP\r\n".repeat(50));

        assertThat(client.readUntilClosed()).contains("-ERR [SYS/PERM] Too many pipelined commands");
    }

    @Test
    void pipelinedCommandsWithinTheLimitShouldAllBeAnswered() throws Exception {
        fixture.start(policy("<limits><maxPipelinedCommands>4</maxPipelinedCommands></limits>"), upstream);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();

        client.send("NOOP\r\n".repeat(4));

        for (int i = 0; i < 4; i++) {
            assertThat(client.readLine()).startsWith("+OK");
        }
    }

    @Test
    void overLongListingShouldCloseTheConnection() throws Exception {
        for (int i = 1; i <= 200; i++) {
            upstream.message(i, "Subject: x\r\n\r\nbody\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        fixture.start(policy("<allowPlaintextAuth>true</allowPlaintextAuth><limits><maxListingSize>500</maxListingSize></limits>"),
            upstream);
        ImapTestClient client = fixture.tlsClient();
        assertThat(client.readLine()).startsWith("+OK");

        client.sendLine("LIST");

        assertThat(client.readUntilClosed()).contains("-ERR [SYS/TEMP]");
    }
}
