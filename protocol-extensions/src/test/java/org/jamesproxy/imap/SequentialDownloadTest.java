package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SequentialDownloadTest {
    private final SequentialDownload download = new SequentialDownload(8);

    @Test
    void oneMessageShouldNotLookLikeAWalk() {
        download.served(10, 1);

        assertThat(download.next(10)).isEmpty();
    }

    @Test
    void theSecondMessageInOrderShouldReadAheadTheNextOnes() {
        download.served(10, 1);
        download.served(11, 2);

        assertThat(download.next(11)).contains(new SequentialDownload.Range(12, 19));
    }

    @Test
    void anotherChunkOfTheSameMessageShouldKeepTheWalk() {
        download.served(10, 1);
        download.served(11, 2);
        download.served(11, 2);

        assertThat(download.next(11)).isPresent();
    }

    @Test
    void theNextReadAheadShouldComeHalfWayThroughTheLastOne() {
        download.served(10, 1);
        download.served(11, 2);
        download.next(11);
        download.served(12, 3);
        download.served(14, 4);

        assertThat(download.next(14)).as("five ahead still").isEmpty();
        download.served(15, 5);
        assertThat(download.next(15)).contains(new SequentialDownload.Range(20, 27));
        download.served(16, 6);
        assertThat(download.next(16)).as("eleven ahead").isEmpty();
    }

    @Test
    void aJumpShouldStartOverAfterTheServedMessage() {
        download.served(10, 1);
        download.served(11, 2);
        download.next(11);
        download.served(500, 3);

        assertThat(download.next(500)).contains(new SequentialDownload.Range(501, 508));
        download.served(2, 4);
        assertThat(download.next(2)).as("back: out of order").isEmpty();
    }

    @Test
    void messagesOutOfOrderShouldNotReadAhead() {
        download.served(10, 5);
        download.served(9, 4);

        assertThat(download.next(9)).isEmpty();
    }

    @Test
    void forgettingShouldDropTheSequenceNumbersAndTheWalk() {
        download.served(10, 1);
        download.served(11, 2);
        download.learned(12, 3);

        download.forget();

        assertThat(download.sequenceNumberOf(12)).isEmpty();
        assertThat(download.next(11)).isEmpty();
    }

    @Test
    void noReadAheadConfiguredShouldNeverReadAhead() {
        SequentialDownload none = new SequentialDownload(0);
        none.served(10, 1);
        none.served(11, 2);

        assertThat(none.next(11)).isEmpty();
        assertThat(none.sequenceNumberOf(11)).hasValue(2);
    }
}
