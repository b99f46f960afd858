package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.UpstreamPrelude;
import org.jamesproxy.upstream.UpstreamConnector;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/**
 * Brings the POP3 upstream leg to the point where a client can use it: greeting read, TLS in place and verified
 * (implicit, or STLS with the injection check), and the capabilities learnt over TLS (a second CAPA after STLS;
 * what was learnt in clear is thrown away). Any deviation aborts: the proxy never falls back to plaintext.
 */
final class Pop3UpstreamPrelude extends UpstreamPrelude {
    /** RFC 1939 7: the APOP challenge is a msg-id in the greeting. */
    private static final Pattern APOP_TIMESTAMP = Pattern.compile("<[^<>\\s]+>");

    interface Outcome {
        /**
         * @param apopTimestamp the challenge of the upstream's greeting, which APOP digests must be computed over;
         *                      empty unless that greeting came over TLS (implicit-TLS upstream)
         * @param capabilities the CAPA lines learnt over the final (TLS, unless tls=none) connection
         */
        void ready(Channel upstream, Optional<String> apopTimestamp, List<String> capabilities);

        void failed(String reason);
    }

    private enum State {
        GREETING, CAPA_BEFORE_TLS, STLS_SENT, CAPA
    }

    private final Outcome outcome;
    private final InputBuffer reader;
    private final int maxListingSize;
    private State state = State.GREETING;
    private boolean inCapaListing;
    private int capaBytes;
    private Optional<String> apopTimestamp = Optional.empty();
    private List<String> capabilities = new ArrayList<>();

    Pop3UpstreamPrelude(UpstreamConnector connector, Outcome outcome, InputBuffer reader, int maxListingSize) {
        super(connector);
        this.outcome = outcome;
        this.reader = reader;
        this.maxListingSize = maxListingSize;
    }

    @Override
    protected void onBytes(ChannelHandlerContext ctx, ByteBuf bytes) {
        reader.add(bytes);
        try {
            ByteBuf line;
            while (isActive() && (line = reader.nextLine()) != null) {
                try {
                    onLine(ctx, line.toString(ISO_8859_1));
                } finally {
                    line.release();
                }
            }
        } catch (InputBuffer.LineTooLongException e) {
            fail(ctx, "the mail server sent an over-long line");
        }
    }

    private void onLine(ChannelHandlerContext ctx, String rawLine) {
        String line = rawLine.endsWith("\r\n") ? rawLine.substring(0, rawLine.length() - 2) : rawLine.trim();
        switch (state) {
            case GREETING:
                onGreeting(ctx, line);
                break;
            case CAPA_BEFORE_TLS:
            case CAPA:
                onCapaLine(ctx, line, rawLine.length());
                break;
            case STLS_SENT:
                if (line.startsWith("+OK")) {
                    startTls(ctx, "STLS", reader.unconsumed(), () -> {
                        // Everything learnt in clear is discarded: ask again, over TLS.
                        capabilities = new ArrayList<>();
                        capaBytes = 0;
                        state = State.CAPA;
                        send(ctx, "CAPA");
                    });
                } else {
                    fail(ctx, "the mail server refused STLS: " + line);
                }
                break;
            default:
                break;
        }
    }

    private void onGreeting(ChannelHandlerContext ctx, String line) {
        if (!line.startsWith("+OK")) {
            fail(ctx, "the mail server is not available: " + line);
            return;
        }
        // The challenge must be the upstream's own: it checks the client's APOP digest against it. Only a greeting
        // received over TLS is trusted for it: in clear, whoever sits on the path could pick the challenge the
        // client's digest is computed over.
        Matcher timestamp = APOP_TIMESTAMP.matcher(line);
        apopTimestamp = connector().getConfig().getTls() == UpstreamTls.IMPLICIT && timestamp.find()
            ? Optional.of(timestamp.group())
            : Optional.empty();
        state = connector().getConfig().getTls() == UpstreamTls.STARTTLS ? State.CAPA_BEFORE_TLS : State.CAPA;
        send(ctx, "CAPA");
    }

    private void onCapaLine(ChannelHandlerContext ctx, String line, int length) {
        if (!inCapaListing) {
            if (line.startsWith("+OK")) {
                inCapaListing = true;
                return;
            }
            // An RFC 1939-only server has no CAPA: no extension known, hence no STLS either.
            onCapaComplete(ctx);
            return;
        }
        capaBytes += length;
        if (capaBytes > maxListingSize) {
            fail(ctx, "the mail server's CAPA answer is larger than " + maxListingSize + " bytes");
            return;
        }
        if (line.equals(".")) {
            inCapaListing = false;
            onCapaComplete(ctx);
            return;
        }
        capabilities.add(line.startsWith(".") ? line.substring(1) : line);
    }

    private void onCapaComplete(ChannelHandlerContext ctx) {
        if (state == State.CAPA) {
            ready(ctx);
            return;
        }
        if (!Pop3Capabilities.offers(capabilities, "STLS")) {
            fail(ctx, "the mail server does not offer STLS, and the policy requires TLS toward it");
            return;
        }
        state = State.STLS_SENT;
        send(ctx, "STLS");
    }

    private void ready(ChannelHandlerContext ctx) {
        if (reader.hasBufferedBytes()) {
            // POP3 servers speak only when asked: anything more would be taken for the answer to a client's command.
            fail(ctx, "the mail server sent unsolicited data after CAPA");
            return;
        }
        Optional<String> timestamp = apopTimestamp;
        List<String> learnt = List.copyOf(capabilities);
        finish(ctx, () -> outcome.ready(ctx.channel(), timestamp, learnt));
    }

    @Override
    protected void releaseInput() {
        reader.release();
    }

    @Override
    protected void onFailed(String reason) {
        outcome.failed(reason);
    }
}
