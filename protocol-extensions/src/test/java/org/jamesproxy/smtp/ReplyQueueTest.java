package org.jamesproxy.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ReplyQueueTest {
    private final List<String> written = new ArrayList<>();
    private final ReplyQueue queue = new ReplyQueue(written::add);
    private final SmtpCommandHandler mail = new SimpleCommands.Relayed();

    @Test
    void aLocalReplyWithNothingBeforeItShouldGoOutAtOnce() {
        queue.local("503 5.5.1 Need MAIL before RCPT", 0);

        assertThat(written).containsExactly("503 5.5.1 Need MAIL before RCPT");
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void aLocalReplyShouldWaitForTheUpstreamRepliesBeforeIt() {
        queue.forwarded(mail, 0, Optional.empty());
        queue.local("550 5.7.1 Recipient address rejected by policy", 0);
        assertThat(written).isEmpty();

        assertThat(queue.answered()).map(ReplyQueue.Pending::handler).contains(mail);
        queue.drainLocal();

        assertThat(written).containsExactly("550 5.7.1 Recipient address rejected by policy");
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void anUpstreamReplyWithNothingForwardedShouldBeUnsolicited() {
        assertThat(queue.answered()).isEmpty();
    }

    @Test
    void theReplyToTheFinalDotShouldComeAheadOfTheQueue() {
        SmtpCommandHandler message = new SimpleCommands.Quit();
        queue.forwarded(mail, 0, Optional.empty());
        queue.forwardedFirst(message, 0);

        assertThat(queue.answered()).map(ReplyQueue.Pending::handler).contains(message);
        assertThat(queue.size()).isEqualTo(1);
    }

    @Test
    void theProxysOwnResetShouldNotCountAsWaitingForTheUpstream() {
        queue.forwarded(SimpleCommands.INTERNAL_RESET, 0, Optional.empty());
        assertThat(queue.awaitsUpstreamOtherThan(SimpleCommands.INTERNAL_RESET)).isFalse();

        queue.forwarded(mail, 1, Optional.empty());
        assertThat(queue.awaitsUpstreamOtherThan(SimpleCommands.INTERNAL_RESET)).isTrue();
    }
}
