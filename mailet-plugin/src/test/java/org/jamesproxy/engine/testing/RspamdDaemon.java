package org.jamesproxy.engine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jamesproxy.engine.rspamd.RspamdClient;

/**
 * A real rspamd (Debian's package) for tests, offline: the stock rules from {@code /etc/rspamd} with a private top-level
 * configuration (the normal worker on a free loopback port, no controller or proxy worker), DNS pinned to loopback,
 * the modules that need the network or Redis disabled, logs to the console, in the foreground, stopped by PID. The
 * compiled Hyperscan patterns (the first start takes 15 s or more) are cached in {@code rspamd.cacheDir} (default
 * {@code java.io.tmpdir/james-mail-proxy-rspamd-cache}). As root it drops to {@code _rspamd}. JUnit 5 extension like
 * {@link ClamdDaemon}; a missing {@code rspamd} fails under {@code CI=true} and skips each test elsewhere.
 */
public final class RspamdDaemon extends LoopbackDaemon {
    private static final String BINARY = "rspamd";
    private static final String PACKAGES = "rspamd";
    private static final Path STOCK = Path.of("/etc/rspamd");
    /** Modules that fetch maps, query DNS lists or need Redis: off, so that nothing waits on the network. */
    private static final List<String> DISABLED = List.of("rbl", "surbl", "fuzzy_check", "phishing", "url_redirector", "neural",
        "ratelimit", "greylist", "history_redis", "replies", "reputation", "rspamd_update", "asn", "emails", "mx_check", "dcc",
        "spamtrap", "clickhouse", "elastic", "metadata_exporter", "dmarc", "spf", "dkim", "arc", "dkim_signing", "bimi",
        "external_services", "antivirus", "p0f", "maillist", "url_reputation", "multimap", "whitelist", "trie",
        "classifier-bayes");

    private final int controllerPort = DaemonProcess.freeLoopbackPort();
    private final int proxyPort = DaemonProcess.freeLoopbackPort();
    public RspamdDaemon() {
        super("rspamd", BINARY, PACKAGES);
    }

    public RspamdClient client() {
        return new RspamdClient(endpoint(Duration.ofSeconds(60)));
    }

    @Override
    protected void launch(Path rspamd, Path directory, DaemonProcess process) throws IOException {
        if (!Files.exists(directory.resolve("rspamd.conf"))) {
            writeConfiguration(directory);
        }
        Path cache = Path.of(System.getProperty("rspamd.cacheDir",
            Path.of(System.getProperty("java.io.tmpdir"), "james-mail-proxy-rspamd-cache").toString()));
        Files.createDirectories(cache);
        List<String> command = new ArrayList<>(List.of(rspamd.toString(), "-f", "-c", directory.resolve("rspamd.conf").toString(),
            "--var=LOCAL_CONFDIR=" + directory, "--var=RUNDIR=" + directory.resolve("run"), "--var=DBDIR=" + cache,
            "--var=LOGDIR=" + directory));
        if (isRoot()) {
            // rspamd does not run its workers as root; the package's user reads the configuration and the cache.
            command.addAll(List.of("-u", "_rspamd", "-g", "_rspamd"));
            readableByAll(directory);
            readableByAll(cache);
        }
        process.start(command, this::ping, Duration.ofSeconds(240));
    }

    private void writeConfiguration(Path directory) throws IOException {
        String stock = Files.readString(STOCK.resolve("rspamd.conf"));
        String conf = stock.replace("bind_socket = \"localhost:11333\";", "bind_socket = \"127.0.0.1:" + port() + "\";")
            .replace("bind_socket = \"localhost:11334\";", "bind_socket = \"127.0.0.1:" + controllerPort + "\"; count = 0;")
            .replace("bind_socket = \"localhost:11332\";", "bind_socket = \"127.0.0.1:" + proxyPort + "\"; count = 0;")
            .replace("\"$CONFDIR/", "\"" + STOCK + "/");
        if (conf.equals(stock) || !conf.contains("127.0.0.1:" + port())) {
            throw new IllegalStateException("unexpected " + STOCK.resolve("rspamd.conf") + ": no localhost:11333 worker to rebind");
        }
        Files.writeString(directory.resolve("rspamd.conf"), conf);
        Path local = Files.createDirectories(directory.resolve("local.d"));
        Files.createDirectories(directory.resolve("override.d"));
        Files.createDirectories(directory.resolve("run"));
        Files.writeString(local.resolve("options.inc"), "dns {\n  nameserver = [\"127.0.0.1:53\"];\n  timeout = 0.5s;\n  retransmits = 1;\n}\n");
        Files.writeString(local.resolve("logging.inc"), "type = \"console\";\nlevel = \"warning\";\n");
        for (String module : DISABLED) {
            Files.writeString(local.resolve(module + ".conf"), "enabled = false;\n");
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void readableByAll(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.toList()) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxrwxrwx" : "rw-r--r--"));
            }
        }
    }

    /** {@code GET /ping} on the normal worker answers {@code pong}. */
    private void ping() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host(), port()), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /ping HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String reply = new String(in.readNBytes(4096), StandardCharsets.US_ASCII);
            if (!reply.startsWith("HTTP/1.") || !reply.contains("pong")) {
                throw new IOException("rspamd answered '" + reply + "' to /ping");
            }
        }
    }
}
