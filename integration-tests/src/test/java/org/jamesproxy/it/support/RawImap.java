package org.jamesproxy.it.support;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A bare IMAP client over implicit TLS for the shapes javax.mail cannot send (Thunderbird's chunks, per-part
 * sections, pipelining): logged in on construction, each command's responses read with their literals inlined.
 */
public final class RawImap implements AutoCloseable {
    private static final Pattern TRAILING_LITERAL = Pattern.compile("~?\\{(\\d+)}$");
    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)}\r\n");
    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawImap(SSLContext trust, int port, String user, String password) throws Exception {
        socket = (SSLSocket) trust.getSocketFactory().createSocket("localhost", port);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        line();
        assertThat(command("l LOGIN " + user + " " + password)).last().asString().startsWith("l OK");
    }

    /** {@code how} is SELECT or EXAMINE; INBOX. */
    public RawImap selected(String how) throws Exception {
        assertThat(command("s " + how + " INBOX")).last().asString().startsWith("s OK");
        return this;
    }

    public List<String> command(String line) throws Exception {
        return pipelined(line).get(0);
    }

    /** Sends the commands in one write, then reads each one's responses. */
    public List<List<String>> pipelined(String... lines) throws Exception {
        out.write((String.join("\r\n", lines) + "\r\n").getBytes(ISO_8859_1));
        out.flush();
        List<List<String>> all = new ArrayList<>();
        for (String line : lines) {
            String tag = line.split(" ", 2)[0];
            List<String> responses = new ArrayList<>();
            while (true) {
                String response = response();
                responses.add(response);
                if (response.startsWith(tag + " ")) {
                    break;
                }
            }
            all.add(responses);
        }
        return all;
    }

    /**
     * The first literal of a response. An empty quoted string, which Dovecot answers for a window past the end, is
     * "" when {@code emptyStringAllowed}.
     */
    public static String literal(String response, boolean emptyStringAllowed) {
        Matcher matcher = LITERAL.matcher(response);
        if (!matcher.find()) {
            assertThat(emptyStringAllowed).as("a literal in " + response).isTrue();
            assertThat(response).as("neither a literal nor an empty string").contains(" \"\"");
            return "";
        }
        return response.substring(matcher.end(), matcher.end() + Integer.parseInt(matcher.group(1)));
    }

    public static String literal(String response) {
        return literal(response, false);
    }

    /** Thunderbird's fetch_by_chunks: {@code (UID RFC822.SIZE BODY.PEEK[]<o.chunk>)} windows until a short one. */
    public String thunderbirdChunks(int uid, int chunk) throws Exception {
        StringBuilder whole = new StringBuilder();
        for (int origin = 0; ; origin += chunk) {
            List<String> responses = command("t" + origin + " UID FETCH " + uid + " (UID RFC822.SIZE BODY.PEEK[]<"
                + origin + "." + chunk + ">)");
            assertThat(responses).last().asString().startsWith("t" + origin + " OK");
            String part = literal(responses.get(0), true);
            whole.append(part);
            if (part.length() < chunk) {
                return whole.toString();
            }
        }
    }

    private String response() throws Exception {
        StringBuilder response = new StringBuilder();
        String line = line();
        while (true) {
            response.append(line);
            Matcher literal = TRAILING_LITERAL.matcher(line);
            if (!literal.find()) {
                return response.toString();
            }
            response.append("\r\n").append(new String(in.readNBytes(Integer.parseInt(literal.group(1))), ISO_8859_1));
            line = line();
        }
    }

    private String line() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                bytes.write(c);
            }
        }
        if (c == -1) {
            throw new EOFException("closed after " + bytes.toString(ISO_8859_1));
        }
        return bytes.toString(ISO_8859_1);
    }

    @Override
    public void close() throws Exception {
        socket.close();
    }
}
