package org.jamesproxy.engine.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;


/**
 * Debian's HAProxy ({@code apt-get install haproxy}; .ci/run installs it) as a load balancer in front of the mail
 * proxy, in TCP mode, sending a PROXY v2 header on each connection ({@code send-proxy-v2}). Run in the foreground
 * with a configuration the test writes; missing under {@code CI=true}: the class fails ({@link Prerequisite}).
 */
public final class Haproxy extends Prerequisite {
    @Override
    protected Optional<String> missing() {
        return EngineBinaries.missing("haproxy", "haproxy");
    }

    /** A running HAProxy: {@code 127.0.0.1:front} forwards to {@code 127.0.0.1:backend} with a v2 header. */
    public Running start(Path directory, int front, int backend) throws IOException, InterruptedException {
        return start(directory, front, java.util.List.of(backend));
    }

    /** Round robin over several backends (nodes), each connection with a v2 header. */
    public Running start(Path directory, int front, java.util.List<Integer> backends) throws IOException, InterruptedException {
        StringBuilder servers = new StringBuilder();
        for (int index = 0; index < backends.size(); index++) {
            servers.append("    server node").append(index).append(" 127.0.0.1:").append(backends.get(index)).append(" send-proxy-v2\n");
        }
        Path config = directory.resolve("haproxy-" + front + ".cfg");
        Files.writeString(config, "global\n"
            + "    maxconn 100\n"
            + "defaults\n"
            + "    mode tcp\n"
            + "    timeout connect 5s\n"
            + "    timeout client 60s\n"
            + "    timeout server 60s\n"
            + "frontend mail\n"
            + "    bind 127.0.0.1:" + front + "\n"
            + "    default_backend mailproxy\n"
            + "backend mailproxy\n"
            + "    balance roundrobin\n"
            + servers, UTF_8);
        Path log = directory.resolve("haproxy-" + front + ".log");
        Process process = new ProcessBuilder(EngineBinaries.find("haproxy").orElseThrow().toString(), "-db", "-f", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!accepts(front)) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                process.destroyForcibly();
                throw new IllegalStateException("haproxy did not listen on " + front + ": " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return new Running(process);
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the process it started, by its handle. */
    public static final class Running implements AutoCloseable {
        private final Process process;

        private Running(Process process) {
            this.process = process;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
