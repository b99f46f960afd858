package org.jamesproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Test;

class ClientBlockerTest {
    @Test
    void blockPeerShouldPassTheInetAddress() throws Exception {
        List<String> blocked = new ArrayList<>();
        ClientBlocker blocker = (client, reason) -> blocked.add(client.getHostAddress() + " " + reason);

        blocker.blockPeer(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 40000), "virus");

        assertThat(blocked).containsExactly("192.0.2.7 virus");
    }

    @Test
    void blockPeerShouldIgnoreNonInetAddresses() {
        List<InetAddress> blocked = new ArrayList<>();
        ClientBlocker blocker = (client, reason) -> blocked.add(client);

        blocker.blockPeer(new SocketAddress() { }, "virus");

        assertThat(blocked).isEmpty();
    }

    @Test
    void aFailingHookShouldNotPropagate() {
        ClientBlocker blocker = (client, reason) -> {
            throw new IllegalStateException("list full");
        };

        assertThatCode(() -> blocker.blockPeer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), "virus"))
            .doesNotThrowAnyException();
    }

    @Test
    void loggingBlockerShouldCountEachRequest() throws Exception {
        RecordingMetricFactory metrics = new RecordingMetricFactory();
        LoggingClientBlocker blocker = new LoggingClientBlocker(metrics);

        blocker.block(InetAddress.getByName("192.0.2.7"), "virus");
        blocker.block(InetAddress.getByName("192.0.2.8"), "virus");

        assertThat(metrics.countFor(LoggingClientBlocker.BLOCK_REQUESTS)).isEqualTo(2);
    }
}
