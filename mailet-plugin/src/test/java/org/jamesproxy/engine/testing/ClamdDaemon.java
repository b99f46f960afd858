package org.jamesproxy.engine.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import org.jamesproxy.engine.clamav.ClamdClient;

/**
 * A real {@code clamd} for tests: private {@code clamd.conf} and signature database (the EICAR test file as an MD5
 * {@code .hdb} signature and as a body {@code .ndb} signature, written here, so no download is needed),
 * {@code ScanMail yes}, {@code ScanArchive yes}, {@code AlertExceedsMax yes}, TCP on a free loopback port chosen at
 * construction (so it can go into a configuration before the start), in the foreground, stopped by PID.
 * <p>
 * As a JUnit 5 extension ({@code @RegisterExtension static}) it starts before the class's tests and stops after; it
 * can also be used with {@link #start()} / {@link #close()}. A missing {@code clamd} fails under {@code CI=true} and
 * skips each test elsewhere ({@link Prerequisite}, {@link EngineBinaries}).
 */
public final class ClamdDaemon extends LoopbackDaemon {
    private static final String BINARY = "clamd";
    private static final String PACKAGES = "clamav-daemon clamdscan";

    public static ClamdDaemon withDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String streamMaxLength = "10M";
        private String maxFileSize = "20M";

        /** clamd's {@code StreamMaxLength} (default 10M): an INSTREAM over it is refused with an error. */
        public Builder streamMaxLength(String value) {
            this.streamMaxLength = value;
            return this;
        }

        /** clamd's {@code MaxFileSize} and {@code MaxScanSize} (default 20M). */
        public Builder maxFileSize(String value) {
            this.maxFileSize = value;
            return this;
        }

        public ClamdDaemon build() {
            return new ClamdDaemon(this);
        }
    }

    private final String streamMaxLength;
    private final String maxFileSize;

    private ClamdDaemon(Builder builder) {
        super("clamd", BINARY, PACKAGES);
        this.streamMaxLength = builder.streamMaxLength;
        this.maxFileSize = builder.maxFileSize;
    }

    public ClamdClient client() {
        return new ClamdClient(endpoint(Duration.ofSeconds(30)));
    }

    @Override
    protected void launch(Path clamd, Path directory, DaemonProcess process) throws IOException {
        Path database = Files.createDirectories(directory.resolve("db"));
        Path temporary = Files.createDirectories(directory.resolve("tmp"));
        writeSignatures(database);
        Path conf = directory.resolve("clamd.conf");
        Files.writeString(conf, String.join("\n",
            "Foreground yes",
            "DatabaseDirectory " + database,
            "TemporaryDirectory " + temporary,
            "PidFile " + directory.resolve("clamd.pid"),
            "TCPSocket " + port(),
            "TCPAddr 127.0.0.1",
            "OfficialDatabaseOnly no",
            "Bytecode no",
            "ScanMail yes",
            "ScanArchive yes",
            "AlertExceedsMax yes",
            "StreamMaxLength " + streamMaxLength,
            "MaxScanSize " + maxFileSize,
            "MaxFileSize " + maxFileSize,
            "SelfCheck 0",
            "LogTime yes",
            "LogVerbose no",
            ""), StandardCharsets.UTF_8);
        ClamdClient probe = new ClamdClient(endpoint(Duration.ofSeconds(2)));
        process.start(List.of(clamd.toString(), "--config-file=" + conf), probe::ping, Duration.ofSeconds(60));
    }

    /** Signature files made here: the MD5 of the 68 EICAR bytes, and the EICAR bytes anywhere in a file. */
    private static void writeSignatures(Path database) throws IOException {
        byte[] eicar = TestSignatures.eicar();
        Files.writeString(database.resolve("jamesproxy-test.hdb"),
            md5(eicar) + ":" + eicar.length + ":" + TestSignatures.EICAR_HASH_SIGNATURE + "\n", StandardCharsets.US_ASCII);
        Files.writeString(database.resolve("jamesproxy-test.ndb"),
            TestSignatures.EICAR_BODY_SIGNATURE + ":0:*:" + HexFormat.of().formatHex(eicar) + "\n", StandardCharsets.US_ASCII);
    }

    private static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
