package org.jamesproxy.it.container;

import java.time.Duration;
import java.util.List;

import org.testcontainers.containers.GenericContainer;

/**
 * Debian's clamd (image {@code localhost/james-mail-proxy/clamd:it}, context integration-tests/docker/clamd) on a free
 * loopback port of the host, with self-made EICAR signatures only: a reply names them
 * {@code Eicar-Test-Signature-*.UNOFFICIAL}. The extension point for the antivirus proxy action's container test:
 * start it beside a {@link ContainerMailStack} and point the action's clamd address at 127.0.0.1:{@link #port()}.
 */
final class ClamdContainer extends GenericContainer<ClamdContainer> {
    private final int port = ContainerPorts.next();

    ClamdContainer() {
        super(LocalDocker.CLAMD);
        withImagePullPolicy(LocalDocker.NEVER_PULL);
        withNetworkMode("host");
        withEnv("CLAMD_PORT", Integer.toString(port));
        waitingFor(new LoopbackPortsWaitStrategy(List.of(port)).withStartupTimeout(Duration.ofSeconds(60)));
    }

    int port() {
        return port;
    }
}
