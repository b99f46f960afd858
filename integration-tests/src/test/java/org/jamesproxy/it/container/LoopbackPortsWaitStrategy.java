package org.jamesproxy.it.container;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * Ready when every given port accepts a TCP connection on 127.0.0.1. Testcontainers' port waits need mapped ports,
 * which host networking does not have. Fails at once, with the container's log, if the container stops meanwhile.
 */
final class LoopbackPortsWaitStrategy extends AbstractWaitStrategy {
    private final List<Integer> ports;

    LoopbackPortsWaitStrategy(List<Integer> ports) {
        this.ports = List.copyOf(ports);
    }

    @Override
    protected void waitUntilReady() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!waitStrategyTarget.isRunning()) {
                throw new ContainerLaunchException("The container stopped before listening on " + ports + "; its log:\n"
                    + waitStrategyTarget.getLogs());
            }
            if (ports.stream().allMatch(LoopbackPortsWaitStrategy::accepts)) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerLaunchException("Interrupted while waiting for " + ports, e);
            }
        }
        throw new ContainerLaunchException("Not listening on 127.0.0.1 " + ports + " within " + startupTimeout
            + "; its log:\n" + waitStrategyTarget.getLogs());
    }

    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
