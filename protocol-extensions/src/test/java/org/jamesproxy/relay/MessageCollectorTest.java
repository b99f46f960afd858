package org.jamesproxy.relay;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

class MessageCollectorTest {
    private static ByteBuf chunk(int size, char fill) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) fill);
        return Unpooled.wrappedBuffer(bytes);
    }

    @Test
    void shouldKeepEveryByteUpToTheLimitAndReleaseTheChunks() {
        MessageCollector collector = new MessageCollector(10, -1);
        ByteBuf first = Unpooled.copiedBuffer("Subject: ", US_ASCII);
        ByteBuf second = Unpooled.copiedBuffer("x", US_ASCII);

        collector.add(first);
        collector.add(second);

        assertThat(collector.isOverLimit()).isFalse();
        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
        assertThat(new String(collector.take(), US_ASCII)).isEqualTo("Subject: x");
    }

    @Test
    void shouldKeepTheChunkThatCrossesTheLimitWholeSoThatAPassingRelayHasEveryByte() {
        MessageCollector collector = new MessageCollector(10, -1);

        collector.add(chunk(8, 'a'));
        collector.add(chunk(8, 'b'));

        assertThat(collector.isOverLimit()).isTrue();
        assertThat(collector.received()).isEqualTo(16);
        assertThat(collector.take()).hasSize(16);
    }

    @Test
    void keepHeadOnlyShouldKeepTheStartForTheDenyNoticeAndNothingMore() {
        MessageCollector collector = new MessageCollector(10, -1);
        collector.add(chunk(MessageCollector.NOTICE_HEADER_BYTES + 100, 'a'));

        collector.keepHeadOnly();
        collector.add(chunk(1000, 'b'));

        assertThat(collector.received()).isEqualTo(MessageCollector.NOTICE_HEADER_BYTES + 1100);
        byte[] kept = collector.take();
        assertThat(kept).hasSize(MessageCollector.NOTICE_HEADER_BYTES);
        assertThat(kept[kept.length - 1]).isEqualTo((byte) 'a');
    }

    @Test
    void aHeadOnlyCollectorShouldNeverHoldMoreThanTheNoticeBytes() {
        MessageCollector collector = MessageCollector.headOnly();

        for (int i = 0; i < 10; i++) {
            collector.add(chunk(16 * 1024, 'c'));
        }

        assertThat(collector.isOverLimit()).isTrue();
        assertThat(collector.take()).hasSize(MessageCollector.NOTICE_HEADER_BYTES);
    }

    @Test
    void takeShouldHandTheBufferOverWithoutACopyWhenTheAnnouncedSizeWasRight() {
        MessageCollector collector = new MessageCollector(100, 5);
        collector.add(Unpooled.copiedBuffer("hello", US_ASCII));

        assertThat(new String(collector.take(), US_ASCII)).isEqualTo("hello");
    }

    @Test
    void takeShouldReturnOnlyWhatArrivedWhenLessThanAnnounced() {
        MessageCollector collector = new MessageCollector(100, 50);
        collector.add(Unpooled.copiedBuffer("short", US_ASCII));

        assertThat(new String(collector.take(), US_ASCII)).isEqualTo("short");
    }

    @Test
    void releaseShouldBeSafeTwice() {
        MessageCollector collector = new MessageCollector(100, -1);
        collector.add(chunk(10, 'a'));

        collector.release();
        collector.release();
    }
}
