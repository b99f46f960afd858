package org.jamesproxy.engine.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jamesproxy.engine.spamassassin.SpamdClient;

/**
 * A real SpamAssassin {@code spamd} for tests: {@code --listen 127.0.0.1:PORT} on a free port chosen at construction,
 * {@code -L} (local tests only: no DNS or network rules), {@code -x} (no per-user configuration), a private pid file,
 * the rules the Debian package ships, logs to its own file; stopped by PID. JUnit 5 extension like
 * {@link ClamdDaemon}; a missing {@code spamd} fails under {@code CI=true} and skips each test elsewhere ({@link Prerequisite}).
 */
public final class SpamdDaemon extends LoopbackDaemon {
    private static final String BINARY = "spamd";
    private static final String PACKAGES = "spamassassin spamd spamc";

    public SpamdDaemon() {
        super("spamd", BINARY, PACKAGES);
    }

    public SpamdClient client() {
        return new SpamdClient(endpoint(Duration.ofSeconds(60)));
    }

    @Override
    protected void launch(Path spamd, Path directory, DaemonProcess process) {
        SpamdClient probe = new SpamdClient(endpoint(Duration.ofSeconds(2)));
        process.start(List.of(spamd.toString(),
            "--listen=127.0.0.1:" + port(),
            "--allowed-ips=127.0.0.1",
            "-L",
            "-x",
            "--max-children=2",
            "--min-children=1",
            "--pidfile=" + directory.resolve("spamd.pid"),
            "--syslog=stderr"), probe::ping, Duration.ofSeconds(120));
    }
}
