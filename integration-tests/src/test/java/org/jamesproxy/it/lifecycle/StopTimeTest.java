package org.jamesproxy.it.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesServerMain;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.ProxiedJames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * James with 22 proxy listeners (11 IMAP policies, plain and implicit TLS) stops in under 3 s more than the same
 * James without the plugin: the listeners close together. Loose on purpose (a shared 2-core machine); the figures are
 * printed for the record.
 */
@EndToEndTest
class StopTimeTest {
    private static final int POLICIES = 11;
    private static final Duration MAX_EXTRA_STOP_TIME = Duration.ofSeconds(3);

    @Test
    void twentyTwoProxyListenersShouldAddLessThanThreeSecondsToJamesStop(@TempDir Path without, @TempDir Path with)
            throws Exception {
        // A first boot warms the JVM so that both measured stops are alike.
        Duration baseline = bootAndTimeStop(new ProxiedJames().home(without).pluginEnabled(false).write(), List.of());

        ProxiedJames james = new ProxiedJames();
        JamesHome.Builder home = james.home(with);
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < POLICIES; i++) {
            int plain = FreePorts.next();
            int tls = FreePorts.next();
            ports.add(plain);
            ports.add(tls);
            home.proxy(james.proxyToJames("stop" + i, plain, tls).build());
        }
        Duration withProxy = bootAndTimeStop(home.write(), ports);
        Duration baselineAgain = bootAndTimeStop(new ProxiedJames().home(without.resolve("again")).pluginEnabled(false).write(),
            List.of());

        Duration fastestBaseline = baseline.compareTo(baselineAgain) < 0 ? baseline : baselineAgain;
        System.out.printf("James stop: without the plugin %d ms / %d ms, with %d proxy listeners %d ms%n",
            baseline.toMillis(), baselineAgain.toMillis(), ports.size(), withProxy.toMillis());
        assertThat(withProxy.minus(fastestBaseline)).isLessThan(MAX_EXTRA_STOP_TIME);
        assertThat(ports).allSatisfy(port -> assertThat(accepts(port)).as("port " + port + " after stop").isFalse());
    }

    private static Duration bootAndTimeStop(JamesHome home, List<Integer> proxyPorts) throws Exception {
        GuiceJamesServer server = MemoryJamesServerMain.createServer(home.memoryConfiguration());
        server.start();
        assertThat(proxyPorts).allSatisfy(port -> assertThat(accepts(port)).as("proxy port " + port).isTrue());
        long begin = System.nanoTime();
        server.stop();
        return Duration.ofNanos(System.nanoTime() - begin);
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
