package org.jamesproxy.engine.clamav;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.jamesproxy.engine.BoundedReader;
import org.jamesproxy.engine.EngineConnection;
import org.jamesproxy.engine.EngineEndpoint;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.base.CharMatcher;
import com.google.common.base.Preconditions;

/**
 * A client for clamd's TCP protocol, the {@code z} (NUL-terminated) form: {@code zINSTREAM} to scan a stream sent in
 * chunks, {@code zPING} to check the daemon. One connection per scan; nothing is kept between calls, so one instance
 * is safe to share between threads.
 * <p>
 * Limits: at most {@code maxBytes} of a stream are sent. clamd answers {@code OK} for a stream it could not look at
 * whole (cut by its {@code StreamMaxLength}, or over {@code MaxFileSize}/{@code MaxScanSize} without
 * {@code AlertExceedsMax}), so a stream longer than our limit is {@link ClamdResult.Status#OVERSIZE} unless the part
 * that was sent already matched a signature. The reply read is capped at {@value #MAX_REPLY} bytes.
 */
public final class ClamdClient {
    /** Writes the data to scan; it may stop early when the stream throws (limit reached, socket closed). */
    @FunctionalInterface
    public interface StreamWriter {
        void writeTo(OutputStream out) throws Exception;
    }

    /** The data source failed (not clamd): e.g. a MIME part whose encoding cannot be decoded. */
    public static final class SourceException extends Exception {
        SourceException(Throwable cause) {
            super("reading the data to scan failed: " + cause, cause);
        }
    }

    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
    @VisibleForTesting
    static final int MAX_REPLY = 4096;
    private static final String LIMITS_EXCEEDED = "Heuristics.Limits.Exceeded";
    private static final byte[] INSTREAM = "zINSTREAM\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "zPING\0".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_LOGGED_REPLY = 200;

    private final EngineEndpoint endpoint;
    private final int chunkSize;

    public ClamdClient(EngineEndpoint endpoint) {
        this(endpoint, DEFAULT_CHUNK_SIZE);
    }

    public ClamdClient(EngineEndpoint endpoint, int chunkSize) {
        Preconditions.checkArgument(chunkSize > 0, "chunkSize must be positive");
        this.endpoint = endpoint;
        this.chunkSize = chunkSize;
    }

    public EngineEndpoint getEndpoint() {
        return endpoint;
    }

    /** @throws IOException when clamd is unreachable or does not answer {@code PONG} */
    public void ping() throws IOException {
        try (EngineConnection connection = EngineConnection.open(endpoint)) {
            connection.output().write(PING);
            connection.output().flush();
            String reply = BoundedReader.readUntil(connection.input(), 0, MAX_REPLY).trim();
            if (!reply.equals("PONG")) {
                throw new IOException("clamd at " + where() + " answered '" + printable(reply) + "' to PING");
            }
        }
    }

    public ClamdResult scan(byte[] data, long maxBytes) {
        try {
            return scan(out -> out.write(data), maxBytes);
        } catch (SourceException e) {
            throw new IllegalStateException("writing an array cannot fail", e);
        }
    }

    /** Reads {@code in} as far as the limit (plus at most one buffer to notice that there is more); does not close it. */
    public ClamdResult scan(InputStream in, long maxBytes) throws SourceException {
        return scan(in::transferTo, maxBytes);
    }

    public ClamdResult scan(StreamWriter writer, long maxBytes) throws SourceException {
        Preconditions.checkArgument(maxBytes > 0, "maxBytes must be positive");
        EngineConnection connection;
        try {
            connection = EngineConnection.open(endpoint);
        } catch (IOException e) {
            return ClamdResult.error("clamd unreachable at " + where() + ": " + describe(e), 0);
        }
        InstreamOutputStream chunks = null;
        try (EngineConnection open = connection) {
            open.output().write(INSTREAM);
            chunks = new InstreamOutputStream(open.output(), chunkSize, maxBytes);
            boolean sent = send(writer, chunks);
            String reply;
            try {
                reply = BoundedReader.readUntil(open.input(), 0, MAX_REPLY);
            } catch (IOException e) {
                if (!sent && !open.expired()) {
                    return ClamdResult.error("clamd at " + where() + " closed the connection while receiving: "
                        + describe(chunks.socketFailure()), chunks.count());
                }
                throw e;
            }
            return interpret(reply, chunks.truncated(), maxBytes, chunks.count());
        } catch (IOException e) {
            long count = chunks == null ? 0 : chunks.count();
            if (connection.expired()) {
                return ClamdResult.error("clamd at " + where() + " timed out after " + endpoint.getTimeout().toMillis() + " ms", count);
            }
            return ClamdResult.error("clamd at " + where() + ": " + describe(e), count);
        }
    }

    /** @return false when clamd closed the connection while we sent (its reply may still tell why) */
    private static boolean send(StreamWriter writer, InstreamOutputStream chunks) throws IOException, SourceException {
        try {
            writer.writeTo(chunks);
        } catch (Exception e) {
            if (chunks.socketFailure() != null) {
                return false;
            }
            if (!chunks.truncated()) {
                throw new SourceException(e);
            }
        }
        try {
            chunks.finish();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @VisibleForTesting
    static ClamdResult interpret(String rawReply, boolean truncated, long maxBytes, long bytesSent) {
        String reply = rawReply.trim();
        if (reply.endsWith(" FOUND")) {
            String signature = reply.substring(reply.indexOf(": ") + 2, reply.length() - " FOUND".length()).trim();
            if (signature.startsWith(LIMITS_EXCEEDED)) {
                return ClamdResult.oversize("clamd could not scan it whole: " + printable(signature), bytesSent);
            }
            return ClamdResult.infected(printable(signature), bytesSent, truncated);
        }
        if (reply.endsWith(" ERROR")) {
            if (reply.toLowerCase(Locale.US).contains("size limit exceeded")) {
                return ClamdResult.oversize("larger than clamd's StreamMaxLength (" + bytesSent + " bytes sent)", bytesSent);
            }
            return ClamdResult.error("clamd error: " + printable(reply), bytesSent);
        }
        if (reply.endsWith(": OK")) {
            if (truncated) {
                return ClamdResult.oversize("larger than the scan limit of " + maxBytes + " bytes", bytesSent);
            }
            return ClamdResult.clean(bytesSent);
        }
        if (reply.isEmpty()) {
            return ClamdResult.error("clamd closed the connection without a reply", bytesSent);
        }
        return ClamdResult.error("unexpected clamd reply: " + printable(reply), bytesSent);
    }

    private String where() {
        return endpoint.getHost() + ":" + endpoint.getPort();
    }

    private static String describe(IOException e) {
        if (e == null) {
            return "connection closed";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** A daemon's words go into logs and replies: one line, printable, bounded. */
    static String printable(String text) {
        String line = CharMatcher.inRange(' ', '~').negate().replaceFrom(text, '?');
        return line.length() > MAX_LOGGED_REPLY ? line.substring(0, MAX_LOGGED_REPLY) + "..." : line;
    }
}
