package org.jamesproxy.engine.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.jamesproxy.engine.EngineEndpoint;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the real engines of the tests share ({@link ClamdDaemon}, {@link SpamdDaemon}, {@link RspamdDaemon}): a private
 * daemon on a free loopback port chosen at construction (so it can go into a configuration before the start), its
 * files in a temporary directory kept across {@link #stop()}/{@link #start()} and deleted by {@link #close()},
 * stopped by PID; a JUnit 5 extension ({@code @RegisterExtension static}) that starts before the class's tests and
 * stops after, and a {@link Prerequisite}: a missing binary fails under {@code CI=true} and skips each test elsewhere.
 */
public abstract class LoopbackDaemon extends Prerequisite implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private final String name;
    private final String binary;
    private final String packages;
    private final int port = DaemonProcess.freeLoopbackPort();
    private Path directory;
    private DaemonProcess process;

    protected LoopbackDaemon(String name, String binary, String packages) {
        this.name = name;
        this.binary = binary;
        this.packages = packages;
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public EngineEndpoint endpoint(Duration timeout) {
        return EngineEndpoint.of(host(), port, Duration.ofSeconds(5), timeout);
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        Path executable = EngineBinaries.require(binary, packages);
        try {
            if (directory == null) {
                // A restart after stop() reuses the directory (and port): close() deletes it.
                directory = Files.createTempDirectory(name + "-test-");
            }
            process = new DaemonProcess(name, directory);
            launch(executable, directory, process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the daemon's files into {@code directory} and starts {@code process} (waiting until it is ready). */
    protected abstract void launch(Path executable, Path directory, DaemonProcess process) throws IOException;

    /** Stops the daemon (by PID) but keeps its files, so {@link #start()} brings it back on the same port. */
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
        return EngineBinaries.missing(binary, packages);
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
