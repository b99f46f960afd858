package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import org.jamesproxy.relay.InputBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

/** The terminator of a multi-line answer, wherever the reads cut it. */
class Pop3MultiLineStreamTest {
    private final InputBuffer in = new InputBuffer(UnpooledByteBufAllocator.DEFAULT, 1000);
    private final StringBuilder out = new StringBuilder();
    private final Pop3MultiLineStream stream = new Pop3MultiLineStream();

    @AfterEach
    void tearDown() {
        in.release();
    }

    private boolean read(String chunk) {
        in.add(Unpooled.copiedBuffer(chunk, ISO_8859_1));
        return stream.relay(in, this::collect);
    }

    private void collect(ByteBuf slice) {
        out.append(slice.toString(ISO_8859_1));
        slice.release();
    }

    private String left() {
        return in.unconsumed().toString(ISO_8859_1);
    }

    @Test
    void aWholeAnswerShouldBeRelayedInOneSliceAndWhatFollowsItKept() {
        stream.start(Long.MAX_VALUE);

        assertThat(read("1 10\r\n2 20\r\n.\r\n+OK next")).isTrue();
        assertThat(out).hasToString("1 10\r\n2 20\r\n.\r\n");
        assertThat(left()).isEqualTo("+OK next");
    }

    @Test
    void aTerminatorCutAfterItsDotShouldWaitForTheRest() {
        stream.start(Long.MAX_VALUE);

        assertThat(read("line\r\n.")).isFalse();
        assertThat(out).hasToString("line\r\n");
        assertThat(left()).isEqualTo(".");
        assertThat(read("\r\n")).isTrue();
        assertThat(out).hasToString("line\r\n.\r\n");
    }

    @Test
    void aTerminatorCutBeforeItsLineFeedShouldWaitForTheRest() {
        stream.start(Long.MAX_VALUE);

        assertThat(read("line\r\n.\r")).isFalse();
        assertThat(left()).isEqualTo(".\r");
        assertThat(read("\n")).isTrue();
        assertThat(out).hasToString("line\r\n.\r\n");
    }

    @Test
    void aStuffedLineCutAfterItsFirstDotShouldNotEndTheAnswer() {
        stream.start(Long.MAX_VALUE);

        assertThat(read("a\r\n.")).isFalse();
        assertThat(read(".b\r\n")).isFalse();
        assertThat(out).hasToString("a\r\n..b\r\n");
        assertThat(read(".\r\n")).isTrue();
    }

    @Test
    void aDotThatIsNotAtTheStartOfALineShouldBeRelayedAtOnce() {
        stream.start(Long.MAX_VALUE);

        assertThat(read("ends with a dot.")).isFalse();
        assertThat(out).hasToString("ends with a dot.");
        assertThat(read("\r\n.\r\n")).isTrue();
        assertThat(out).hasToString("ends with a dot.\r\n.\r\n");
    }

    @Test
    void nothingReadShouldRelayNothing() {
        stream.start(Long.MAX_VALUE);

        assertThat(stream.relay(in, this::collect)).isFalse();
        assertThat(out).isEmpty();
    }

    @Test
    void moreThanTheLimitShouldBeReported() {
        stream.start(10);

        read("1 1234567\r\n");
        assertThat(stream.isOverLimit()).isTrue();

        stream.start(10);
        assertThat(stream.isOverLimit()).isFalse();
    }
}
