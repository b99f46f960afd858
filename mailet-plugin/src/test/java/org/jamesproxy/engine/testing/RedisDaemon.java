package org.jamesproxy.engine.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} for tests (the proxy's shared policy state): loopback only, a free port, no
 * persistence, its own directory and log; stopped by PID. JUnit 5 extension like {@link ClamdDaemon}; a missing
 * {@code redis-server} fails under {@code CI=true} and skips each test elsewhere ({@link Prerequisite}). Can be
 * stopped and started again on the same port, for the tests of a store that goes away.
 */
public final class RedisDaemon extends Prerequisite implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private static final String BINARY = "redis-server";
    private static final String PACKAGES = "redis-server";

    private final int port = DaemonProcess.freeLoopbackPort();
    private Path directory;
    private DaemonProcess process;

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        Path binary = EngineBinaries.require(BINARY, PACKAGES);
        try {
            if (directory == null) {
                directory = Files.createTempDirectory("redis-test-");
            }
            process = new DaemonProcess("redis", directory);
            process.start(List.of(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", directory.toString(), "--daemonize", "no"),
                this::ping, Duration.ofSeconds(30));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void ping() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write("PING\r\n".getBytes(US_ASCII));
            byte[] answer = socket.getInputStream().readNBytes(7);
            if (!new String(answer, US_ASCII).equals("+PONG\r\n")) {
                throw new IOException("unexpected answer to PING");
            }
        }
    }

    public synchronized void stop() {
        if (process != null) {
            process.stop();
        }
    }

    @Override
    public synchronized void close() {
        stop();
        if (directory != null) {
            DaemonProcess.deleteRecursively(directory);
            directory = null;
        }
    }

    @Override
    protected Optional<String> missing() {
        return EngineBinaries.missing(BINARY, PACKAGES);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!skipping()) {
            start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }
}
