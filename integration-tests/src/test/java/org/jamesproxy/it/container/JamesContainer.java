package org.jamesproxy.it.container;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.demo.ProxySettings;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.utility.MountableFile;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;

/**
 * The official Apache James 3.8.1 memory server, unchanged (image {@code localhost/james-mail-proxy/james:it}, context
 * integration-tests/docker/james), with what an admin adds: the {@code conf/} of a {@link JamesHome} (James's conf,
 * {@code extensions.properties}, {@code mailproxy.xml}, key and trust stores) copied into {@code /root/conf/} and its
 * {@code extensions-jars/} (the drop-in jar) into {@code /root/extensions-jars/}. Host networking: every listener of
 * the home must be on a free loopback port.
 */
final class JamesContainer extends GenericContainer<JamesContainer> {
    /** A small heap and C1 only: a test James needs little, and boots faster (CI shares two cores). */
    static final String JAVA_OPTIONS = "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    private JamesContainer(JamesHome home) {
        super(LocalDocker.JAMES);
        withImagePullPolicy(LocalDocker.NEVER_PULL);
        withNetworkMode("host");
        withEnv("JAVA_TOOL_OPTIONS", JAVA_OPTIONS);
        withCopyFileToContainer(MountableFile.forHostPath(home.confDirectory()), "/root/conf");
        withCopyFileToContainer(MountableFile.forHostPath(home.extensionsJarsDirectory()), "/root/extensions-jars");
    }

    /** Started = every proxy listener of the home accepts connections (2 minutes at most). */
    static JamesContainer serving(JamesHome home) {
        List<Integer> ports = home.proxies().stream()
            .flatMap(proxy -> Stream.of(proxy.plainPort(), proxy.tlsPort()))
            .filter(port -> port > 0)
            .toList();
        return new JamesContainer(home)
            .waitingFor(new LoopbackPortsWaitStrategy(ports).withStartupTimeout(Duration.ofMinutes(2)));
    }

    /** Started = James's JVM has exited (its boot is expected to fail); read {@link #exitCode()} and the logs. */
    static JamesContainer expectedToFailBoot(JamesHome home) {
        return new JamesContainer(home)
            .withStartupCheckStrategy(new ExitedStartupCheck().withTimeout(Duration.ofMinutes(2)));
    }

    long exitCode() {
        return getCurrentContainerInfo().getState().getExitCodeLong();
    }

    /** Successful once the container has stopped, whatever its exit code. */
    private static final class ExitedStartupCheck extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient dockerClient, String containerId) {
            InspectContainerResponse.ContainerState state = getCurrentState(dockerClient, containerId);
            return Boolean.TRUE.equals(state.getRunning()) ? StartupStatus.NOT_YET_KNOWN : StartupStatus.SUCCESSFUL;
        }
    }
}
