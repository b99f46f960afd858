package org.jamesproxy.engine.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.jamesproxy.engine.EngineEndpoint;
import org.jamesproxy.engine.spamassassin.SpamdClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real SpamAssassin {@code spamd} for tests: {@code --listen 127.0.0.1:PORT} on a free port chosen at construction,
 * {@code -L} (local tests only: no DNS or network rules), {@code -x} (no per-user configuration), a private pid file,
 * the rules the Debian package ships, logs to its own file; stopped by PID. JUnit 5 extension like
 * {@link ClamdDaemon}; a missing {@code spamd} fails under {@code CI=true} and skips each test elsewhere ({@link Prerequisite}).
 */
public final class SpamdDaemon extends Prerequisite implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private static final String BINARY = "spamd";
    private static final String PACKAGES = "spamassassin spamd spamc";

    private final int port = DaemonProcess.freeLoopbackPort();
    private Path directory;
    private DaemonProcess process;

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public EngineEndpoint endpoint(Duration timeout) {
        return EngineEndpoint.of(host(), port, Duration.ofSeconds(5), timeout);
    }

    public SpamdClient client() {
        return new SpamdClient(endpoint(Duration.ofSeconds(60)));
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        Path spamd = EngineBinaries.require(BINARY, PACKAGES);
        try {
            if (directory == null) {
                directory = Files.createTempDirectory("spamd-test-");
            }
            process = new DaemonProcess("spamd", directory);
            SpamdClient probe = new SpamdClient(endpoint(Duration.ofSeconds(2)));
            process.start(List.of(spamd.toString(),
                "--listen=127.0.0.1:" + port,
                "--allowed-ips=127.0.0.1",
                "-L",
                "-x",
                "--max-children=2",
                "--min-children=1",
                "--pidfile=" + directory.resolve("spamd.pid"),
                "--syslog=stderr"), probe::ping, Duration.ofSeconds(120));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    public String logTail() {
        return process == null ? "" : process.logTail();
    }

    @Override
    protected Optional<String> missing() {
        return EngineBinaries.missing(BINARY, PACKAGES);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (skipping()) {
            // Its tests are reported skipped (Prerequisite); under CI=true the class has already failed.
            return;
        }
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }
}
