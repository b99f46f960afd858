package org.jamesproxy.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmtpPathTest {
    @Test
    void parseShouldReadTheMailboxAndParameters() {
        SmtpPath path = SmtpPath.parse("FROM:<a@b.example> SIZE=1024 BODY=8BITMIME", "FROM").orElseThrow();

        assertThat(path.mailbox()).isEqualTo("a@b.example");
        assertThat(path.parameter("SIZE")).contains("1024");
        assertThat(path.parameter("BODY")).contains("8BITMIME");
        assertThat(path.isSourceRouted()).isFalse();
        assertThat(path.mailAddress()).isPresent();
    }

    @Test
    void parseShouldAcceptASpaceAfterTheColon() {
        assertThat(SmtpPath.parse("to: <a@b.example>", "TO")).isPresent();
    }

    @Test
    void parseShouldRejectAPathWithoutBrackets() {
        assertThat(SmtpPath.parse("FROM:a@b.example", "FROM")).isEmpty();
        assertThat(SmtpPath.parse("TO:<a@b.example>", "FROM")).isEmpty();
    }

    @Test
    void sourceRoutesShouldBeDetected() {
        assertThat(SmtpPath.parse("TO:<@one.example,@two.example:a@b.example>", "TO").orElseThrow().isSourceRouted()).isTrue();
        assertThat(SmtpPath.parse("TO:<@one.example:a@b.example>", "TO").orElseThrow().isSourceRouted()).isTrue();
    }

    @Test
    void nullSenderShouldBeRecognised() {
        SmtpPath path = SmtpPath.parse("FROM:<>", "FROM").orElseThrow();

        assertThat(path.isNull()).isTrue();
        assertThat(path.sender().isNullSender()).isTrue();
    }
}
