package org.jamesproxy.engine.spamassassin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamesproxy.engine.BoundedReader;
import org.jamesproxy.engine.EngineConnection;
import org.jamesproxy.engine.EngineEndpoint;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.base.CharMatcher;
import com.google.common.base.Preconditions;
import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;

/**
 * A client for SpamAssassin's spamd over plain TCP, protocol SPAMC/1.5: one {@code SYMBOLS} request per message
 * (the verdict line {@code Spam: True ; 1000.0 / 5.0} plus the names of the rules that hit). spamd needs the
 * {@code Content-length} up front, so the message is given as bytes; callers bound its size. Replies are read with
 * caps on the line length, the header count and the body. Safe to share between threads.
 */
public final class SpamdClient {
    @VisibleForTesting
    static final int MAX_LINE = 1024;
    private static final int MAX_HEADERS = 32;
    private static final int MAX_BODY = 64 * 1024;
    private static final Pattern STATUS = Pattern.compile("SPAMD/(\\d+\\.\\d+)\\s+(\\d+)\\s*(.*)");
    private static final Pattern SPAM = Pattern.compile("(?i)\\s*(true|false|yes|no)\\s*;\\s*(-?\\d+(?:\\.\\d+)?)\\s*/\\s*(-?\\d+(?:\\.\\d+)?)\\s*");
    /** What spamd accepts in the User header without surprises; no CR/LF can get in. */
    public static final Pattern VALID_USER = Pattern.compile("[A-Za-z0-9._@+=-]{1,128}");

    private final EngineEndpoint endpoint;

    public SpamdClient(EngineEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    public EngineEndpoint getEndpoint() {
        return endpoint;
    }

    /** @throws IOException when spamd is unreachable or does not answer {@code PONG} */
    public void ping() throws IOException {
        try (EngineConnection connection = EngineConnection.open(endpoint)) {
            connection.output().write("PING SPAMC/1.5\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            connection.output().flush();
            String line = BoundedReader.readLine(connection.input(), MAX_LINE);
            Matcher status = line == null ? null : STATUS.matcher(line);
            if (status == null || !status.matches() || !status.group(3).trim().equals("PONG")) {
                throw new IOException("spamd at " + where() + " answered '" + printable(String.valueOf(line)) + "' to PING");
            }
        }
    }

    public SpamdResult check(byte[] message, int length, Optional<String> user) {
        Preconditions.checkArgument(length >= 0 && length <= message.length, "length out of range");
        user.ifPresent(name -> Preconditions.checkArgument(VALID_USER.matcher(name).matches(), "invalid spamd user name"));
        EngineConnection connection;
        try {
            connection = EngineConnection.open(endpoint);
        } catch (IOException e) {
            return SpamdResult.error("spamd unreachable at " + where() + ": " + describe(e));
        }
        try (EngineConnection open = connection) {
            OutputStream out = open.output();
            StringBuilder request = new StringBuilder("SYMBOLS SPAMC/1.5\r\n")
                .append("Content-length: ").append(length).append("\r\n");
            user.ifPresent(name -> request.append("User: ").append(name).append("\r\n"));
            request.append("\r\n");
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(message, 0, length);
            open.shutdownOutput();
            return readReply(open.input());
        } catch (IOException e) {
            if (connection.expired()) {
                return SpamdResult.error("spamd at " + where() + " timed out after " + endpoint.getTimeout().toMillis() + " ms");
            }
            return SpamdResult.error("spamd at " + where() + ": " + describe(e));
        }
    }

    @VisibleForTesting
    static SpamdResult readReply(InputStream in) throws IOException {
        String statusLine = BoundedReader.readLine(in, MAX_LINE);
        if (statusLine == null) {
            return SpamdResult.error("spamd closed the connection without a reply");
        }
        Matcher status = STATUS.matcher(statusLine);
        if (!status.matches()) {
            return SpamdResult.error("unexpected spamd reply: " + printable(statusLine));
        }
        if (!status.group(2).equals("0")) {
            return SpamdResult.error("spamd error " + status.group(2) + ": " + printable(status.group(3)));
        }
        Optional<Matcher> verdict = Optional.empty();
        int contentLength = 0;
        for (int count = 0; ; count++) {
            String line = BoundedReader.readLine(in, MAX_LINE);
            if (line == null || line.isEmpty()) {
                break;
            }
            if (count >= MAX_HEADERS) {
                return SpamdResult.error("spamd reply has more than " + MAX_HEADERS + " header lines");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                return SpamdResult.error("malformed spamd header line: " + printable(line));
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.US);
            String value = line.substring(colon + 1);
            if (name.equals("spam")) {
                Matcher matcher = SPAM.matcher(value);
                if (!matcher.matches()) {
                    return SpamdResult.error("malformed spamd verdict: " + printable(value));
                }
                verdict = Optional.of(matcher);
            } else if (name.equals("content-length")) {
                try {
                    contentLength = Integer.parseInt(value.trim());
                } catch (NumberFormatException e) {
                    return SpamdResult.error("malformed spamd Content-length: " + printable(value));
                }
            }
        }
        if (verdict.isEmpty()) {
            return SpamdResult.error("spamd reply without a Spam header");
        }
        if (contentLength < 0 || contentLength > MAX_BODY) {
            return SpamdResult.error("spamd reply body of " + contentLength + " bytes is out of bounds");
        }
        String body = new String(BoundedReader.readExactly(in, contentLength, MAX_BODY), StandardCharsets.ISO_8859_1);
        Matcher matcher = verdict.get();
        String word = matcher.group(1).toLowerCase(Locale.US);
        return SpamdResult.verdict(word.equals("true") || word.equals("yes"),
            Double.parseDouble(matcher.group(2)), Double.parseDouble(matcher.group(3)),
            ImmutableList.copyOf(Splitter.on(',').trimResults().omitEmptyStrings()
                .split(CharMatcher.inRange(' ', '~').negate().replaceFrom(body, ' '))));
    }

    private String where() {
        return endpoint.getHost() + ":" + endpoint.getPort();
    }

    private static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static String printable(String text) {
        String line = CharMatcher.inRange(' ', '~').negate().replaceFrom(text, '?');
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
