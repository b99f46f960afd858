package org.jamesproxy.engine.rspamd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamesproxy.engine.BoundedReader;
import org.jamesproxy.engine.EngineConnection;
import org.jamesproxy.engine.EngineEndpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.annotations.VisibleForTesting;
import com.google.common.base.Preconditions;

/**
 * A client for rspamd's normal worker over HTTP/1.0 ({@code POST /checkv2}, one connection per message): the message
 * as the body, the envelope in rspamd's request headers ({@code From}, {@code Rcpt}, {@code IP}, {@code User}), the
 * JSON reply's {@code action}, {@code score}, {@code required_score} and symbol names. The reply is read within caps
 * on the status line, header count and body; safe to share between threads.
 */
public final class RspamdClient {
    @VisibleForTesting
    static final int MAX_LINE = 1024;
    private static final int MAX_HEADERS = 32;
    private static final int MAX_BODY = 256 * 1024;
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01]\\s+(\\d{3})\\s*(.*)");
    /** What may go into a request header: no CR/LF, no controls. */
    private static final Pattern HEADER_VALUE = Pattern.compile("[\\x21-\\x7e]{1,320}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What rspamd is told of the transaction besides the message (each optional). */
    public static final class Envelope {
        private final Optional<String> sender;
        private final List<String> recipients;
        private final Optional<String> ip;
        private final Optional<String> user;

        public Envelope(Optional<String> sender, List<String> recipients, Optional<String> ip, Optional<String> user) {
            this.sender = sender.filter(RspamdClient::safe);
            this.recipients = recipients.stream().filter(RspamdClient::safe).toList();
            this.ip = ip.filter(RspamdClient::safe);
            this.user = user.filter(RspamdClient::safe);
        }

        public static Envelope none() {
            return new Envelope(Optional.empty(), List.of(), Optional.empty(), Optional.empty());
        }
    }

    private final EngineEndpoint endpoint;

    public RspamdClient(EngineEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    public EngineEndpoint getEndpoint() {
        return endpoint;
    }

    private static boolean safe(String value) {
        return HEADER_VALUE.matcher(value).matches();
    }

    public RspamdResult check(byte[] message, int length, Envelope envelope) {
        Preconditions.checkArgument(length >= 0 && length <= message.length, "length out of range");
        EngineConnection connection;
        try {
            connection = EngineConnection.open(endpoint);
        } catch (IOException e) {
            return RspamdResult.error("rspamd unreachable at " + where() + ": " + describe(e));
        }
        try (EngineConnection open = connection) {
            OutputStream out = open.output();
            StringBuilder request = new StringBuilder("POST /checkv2 HTTP/1.0\r\n")
                .append("Host: ").append(endpoint.getHost()).append("\r\n")
                .append("Content-Length: ").append(length).append("\r\n");
            envelope.sender.ifPresent(sender -> request.append("From: ").append(sender).append("\r\n"));
            envelope.recipients.forEach(recipient -> request.append("Rcpt: ").append(recipient).append("\r\n"));
            envelope.ip.ifPresent(ip -> request.append("IP: ").append(ip).append("\r\n"));
            envelope.user.ifPresent(user -> request.append("User: ").append(user).append("\r\n"));
            request.append("\r\n");
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(message, 0, length);
            out.flush();
            return readReply(open.input());
        } catch (IOException e) {
            if (connection.expired() || e instanceof SocketTimeoutException) {
                return RspamdResult.error("rspamd at " + where() + " timed out after " + endpoint.getTimeout().toMillis() + " ms");
            }
            return RspamdResult.error("rspamd at " + where() + ": " + describe(e));
        }
    }

    @VisibleForTesting
    static RspamdResult readReply(InputStream in) throws IOException {
        String statusLine = BoundedReader.readLine(in, MAX_LINE);
        if (statusLine == null) {
            return RspamdResult.error("rspamd closed the connection without a reply");
        }
        Matcher status = STATUS.matcher(statusLine);
        if (!status.matches()) {
            return RspamdResult.error("unexpected rspamd reply: " + printable(statusLine));
        }
        int contentLength = -1;
        for (int count = 0; ; count++) {
            String line = BoundedReader.readLine(in, MAX_LINE);
            if (line == null || line.isEmpty()) {
                break;
            }
            if (count >= MAX_HEADERS) {
                return RspamdResult.error("rspamd reply has more than " + MAX_HEADERS + " header lines");
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                try {
                    contentLength = Integer.parseInt(line.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    return RspamdResult.error("malformed rspamd Content-Length: " + printable(line));
                }
            }
        }
        if (contentLength > MAX_BODY) {
            return RspamdResult.error("rspamd reply body of " + contentLength + " bytes exceeds " + MAX_BODY);
        }
        byte[] body = contentLength >= 0 ? BoundedReader.readExactly(in, contentLength, MAX_BODY) : readToEnd(in);
        if (!status.group(1).equals("200")) {
            return RspamdResult.error("rspamd error " + status.group(1) + ": "
                + printable(new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8)));
        }
        return parse(body);
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            throw new BoundedReader.ReplyTooLongException(MAX_BODY);
        }
        return body;
    }

    @VisibleForTesting
    static RspamdResult parse(byte[] body) {
        JsonNode reply;
        try {
            reply = JSON.readTree(body);
        } catch (IOException e) {
            return RspamdResult.error("rspamd reply is not JSON: " + String.valueOf(e.getMessage()).split("\n", 2)[0]);
        }
        if (reply == null || !reply.isObject()) {
            return RspamdResult.error("rspamd reply is not a JSON object");
        }
        if (reply.has("error")) {
            return RspamdResult.error("rspamd error: " + printable(reply.get("error").asText()));
        }
        JsonNode action = reply.get("action");
        JsonNode score = reply.get("score");
        if (action == null || !action.isTextual() || score == null || !score.isNumber()) {
            return RspamdResult.error("rspamd reply without action or score");
        }
        Optional<RspamdResult.Action> parsed = RspamdResult.Action.parse(action.asText());
        if (parsed.isEmpty()) {
            return RspamdResult.error("unknown rspamd action '" + printable(action.asText()) + "'");
        }
        double required = Optional.ofNullable(reply.get("required_score")).filter(JsonNode::isNumber).map(JsonNode::asDouble)
            .orElse(Double.NaN);
        List<String> symbols = new ArrayList<>();
        JsonNode symbolNodes = reply.get("symbols");
        if (symbolNodes != null && symbolNodes.isObject()) {
            Iterator<String> names = symbolNodes.fieldNames();
            while (names.hasNext() && symbols.size() < 200) {
                String name = names.next();
                if (name.matches("[A-Za-z0-9_.-]{1,100}")) {
                    symbols.add(name);
                }
            }
        }
        symbols.sort(String::compareTo);
        return RspamdResult.verdict(parsed.get(), score.asDouble(), required, symbols);
    }

    private String where() {
        return endpoint.getHost() + ":" + endpoint.getPort();
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** Reply text made safe for logs and reasons: printable ASCII, at most 200 characters. */
    private static String printable(String text) {
        String cleaned = text.replaceAll("[^\\x20-\\x7e]", "?");
        return cleaned.length() > 200 ? cleaned.substring(0, 200) + "..." : cleaned;
    }
}
