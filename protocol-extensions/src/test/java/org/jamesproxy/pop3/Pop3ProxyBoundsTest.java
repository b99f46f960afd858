package org.jamesproxy.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.jamesproxy.testing.BoundsContract;
import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.Pop3Dialect;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a client cannot make the proxy buffer: long lines (in {@link BoundsContract}, shared by every protocol), and
 * unbounded pipelines and listings.
 */
class Pop3ProxyBoundsTest implements BoundsContract<FakePop3Upstream, ImapTestClient>, Pop3Dialect {
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

    @Override
    public Pop3ProxyFixture fixture() {
        return fixture;
    }

    @Override
    public FakePop3Upstream upstream() {
        return upstream;
    }

    @Override
    public String commandCarrying(String filler) {
        return "USER " + filler;
    }

    @Override
    public String lineTooLong() {
        return "-ERR [SYS/PERM] Command line too long";
    }

    /** A line of a message's body: RETR bodies are read line by line when they are inspected. */
    @Override
    public FakePop3Upstream answeringWithALongLine(FakePop3Upstream upstream, String filler) {
        return upstream.message(1, ("Subject: long\r\n\r\n" + filler + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    public String commandAnsweredWithALongLine() {
        return "RETR 1";
    }

    @Override
    public String longUpstreamLinePolicy() {
        return Pop3ProxyFixture.withInspection();
    }

    @Override
    public String upstreamLineTooLong() {
        return "-ERR [SYS/TEMP] The mail server sent a line the proxy cannot relay";
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
