package org.jamesproxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

class TlsComplianceTest {
    @Test
    void aTlsHandshakeRecordPassesUntouchedAndTheCheckLeaves() {
        List<String> refused = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new TlsCompliance(refused::add));

        channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{22, 3}));
        assertThat((Object) channel.readInbound()).isNull();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{1, 0, 42, 1, 2}));

        ByteBuf passed = channel.readInbound();
        assertThat(passed.readableBytes()).isEqualTo(7);
        assertThat(passed.getByte(0)).isEqualTo((byte) 22);
        passed.release();
        assertThat(channel.pipeline().get(TlsCompliance.class)).isNull();
        assertThat(refused).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void plaintextOnAnImplicitTlsPortIsClosedAndNotRelayed() {
        List<String> refused = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new TlsCompliance(refused::add));

        channel.writeInbound(Unpooled.copiedBuffer("a001 LOGIN alice secret\r\n", StandardCharsets.US_ASCII));

        assertThat((Object) channel.readInbound()).isNull();
        assertThat(channel.isOpen()).isFalse();
        assertThat(refused).singleElement().asString().contains("not TLS").contains("6130303120");
    }

    @Test
    void anSslV2HelloIsNotCompliant() {
        assertThat(TlsCompliance.startsWithTlsHandshake(Unpooled.wrappedBuffer(new byte[]{(byte) 0x80, 0x2e, 1, 3, 1}))).isFalse();
        assertThat(TlsCompliance.startsWithTlsHandshake(Unpooled.wrappedBuffer(new byte[]{22, 3, 3, 0, 0}))).isFalse();
        assertThat(TlsCompliance.startsWithTlsHandshake(Unpooled.wrappedBuffer(new byte[]{22, 3, 1, 2, 0}))).isTrue();
    }
}
