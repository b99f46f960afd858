package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.jamesproxy.config.IdentityCommand;
import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.haproxy.ClientAddress;
import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.UpstreamPrelude;
import org.jamesproxy.upstream.UpstreamConnector;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/**
 * The IMAP conversation that makes an upstream leg usable: greeting read, TLS in place and verified (implicit, or
 * STARTTLS), and the capabilities learnt over TLS. Whatever was learnt before TLS is thrown away. Any deviation
 * aborts: the proxy never falls back to plaintext on its own.
 */
final class ImapUpstreamPrelude extends UpstreamPrelude {
    interface Outcome {
        /** @param leftover bytes read after the last prelude response, to be relayed (post-TLS, safe) */
        void ready(Channel upstream, List<String> capabilities, ByteBuf leftover);

        void failed(String reason);
    }

    private enum State {
        GREETING, CAPABILITY_BEFORE_TLS, STARTTLS_SENT, CAPABILITY, ID_SENT
    }

    private static final String CAPABILITY_BEFORE_TLS_TAG = "JMP0";
    private static final String STARTTLS_TAG = "JMP1";
    private static final String CAPABILITY_TAG = "JMP2";
    private static final String ID_TAG = "JMP3";

    private final Outcome outcome;
    private final ImapFrameReader reader;
    private State state = State.GREETING;
    private List<String> capabilities = new ArrayList<>();

    ImapUpstreamPrelude(UpstreamConnector connector, Outcome outcome, ImapFrameReader reader) {
        super(connector);
        this.outcome = outcome;
        this.reader = reader;
    }

    @Override
    protected void onBytes(ChannelHandlerContext ctx, ByteBuf bytes) {
        reader.add(bytes);
        try {
            ImapFrame frame;
            while (isActive() && (frame = reader.next()) != null) {
                try {
                    if (frame.isLiteralChunk() || frame.announcesLiteral()) {
                        fail(ctx, "unexpected literal from the mail server during the greeting");
                        return;
                    }
                    onLine(ctx, frame.content().toString(ISO_8859_1).trim());
                } finally {
                    frame.content().release();
                }
            }
        } catch (InputBuffer.LineTooLongException e) {
            fail(ctx, "the mail server sent an over-long line");
        }
    }

    private void onLine(ChannelHandlerContext ctx, String line) {
        String upper = line.toUpperCase(Locale.US);
        switch (state) {
            case GREETING:
                onGreeting(ctx, line, upper);
                break;
            case CAPABILITY_BEFORE_TLS:
                collectCapabilities(line, upper);
                if (upper.startsWith(CAPABILITY_BEFORE_TLS_TAG + " ")) {
                    if (!upper.startsWith(CAPABILITY_BEFORE_TLS_TAG + " OK")) {
                        fail(ctx, "the mail server refused CAPABILITY: " + line);
                        return;
                    }
                    sendStartTls(ctx);
                }
                break;
            case STARTTLS_SENT:
                if (upper.startsWith(STARTTLS_TAG + " OK")) {
                    startTls(ctx, "STARTTLS", reader.unconsumed(), () -> {
                        // Everything learnt in clear is discarded: ask again, over TLS.
                        capabilities = new ArrayList<>();
                        state = State.CAPABILITY;
                        send(ctx, CAPABILITY_TAG + " CAPABILITY");
                    });
                } else if (upper.startsWith(STARTTLS_TAG + " ")) {
                    fail(ctx, "the mail server refused STARTTLS: " + line);
                }
                // Untagged data before the go-ahead is pre-TLS state: ignored, never relayed.
                break;
            case CAPABILITY:
                collectCapabilities(line, upper);
                if (upper.startsWith(CAPABILITY_TAG + " ")) {
                    if (!upper.startsWith(CAPABILITY_TAG + " OK")) {
                        fail(ctx, "the mail server refused CAPABILITY: " + line);
                        return;
                    }
                    ready(ctx);
                }
                break;
            case ID_SENT:
                // The upstream's "* ID (...)" (and any untagged line meanwhile) is its business with the proxy: not relayed.
                if (upper.startsWith(ID_TAG + " OK")) {
                    finishReady(ctx);
                } else if (upper.startsWith(ID_TAG + " ")) {
                    fail(ctx, "the mail server refused ID: " + line);
                }
                break;
            default:
                break;
        }
    }

    private void onGreeting(ChannelHandlerContext ctx, String line, String upper) {
        if (upper.startsWith("* PREAUTH")) {
            fail(ctx, "the mail server greeted with PREAUTH, which the proxy refuses");
            return;
        }
        if (!upper.startsWith("* OK")) {
            fail(ctx, "the mail server is not available: " + line);
            return;
        }
        Optional<List<String>> advertised = ImapCapabilities.fromCode(line);
        if (connector().getConfig().getTls() == UpstreamTls.STARTTLS) {
            if (advertised.isPresent()) {
                capabilities = new ArrayList<>(advertised.get());
                sendStartTls(ctx);
            } else {
                state = State.CAPABILITY_BEFORE_TLS;
                send(ctx, CAPABILITY_BEFORE_TLS_TAG + " CAPABILITY");
            }
            return;
        }
        if (advertised.isPresent()) {
            capabilities = new ArrayList<>(advertised.get());
            ready(ctx);
        } else {
            state = State.CAPABILITY;
            send(ctx, CAPABILITY_TAG + " CAPABILITY");
        }
    }

    private void collectCapabilities(String line, String upper) {
        if (upper.startsWith("* CAPABILITY ")) {
            capabilities.addAll(ImapCapabilities.parse(line.substring("* CAPABILITY ".length())));
        }
    }

    private void sendStartTls(ChannelHandlerContext ctx) {
        boolean offered = capabilities.stream().anyMatch(capability -> capability.equalsIgnoreCase("STARTTLS"));
        if (!offered) {
            fail(ctx, "the mail server does not offer STARTTLS, and the policy requires TLS toward it");
            return;
        }
        state = State.STARTTLS_SENT;
        send(ctx, STARTTLS_TAG + " STARTTLS");
    }

    /**
     * With {@code <identityCommand>id</identityCommand>} the upstream learns the client's address first (RFC 2971 ID
     * with Dovecot's fields, honoured for login_trusted_networks); an upstream without ID fails the leg, as it would
     * otherwise take every client for the proxy.
     */
    private void ready(ChannelHandlerContext ctx) {
        if (connector().getConfig().getIdentityCommand() != IdentityCommand.ID) {
            finishReady(ctx);
            return;
        }
        if (capabilities.stream().noneMatch(capability -> capability.equalsIgnoreCase("ID"))) {
            fail(ctx, "the policy names the client with ID, but the mail server does not offer ID");
            return;
        }
        ClientAddress client = ClientAddress.ofUpstream(ctx.channel());
        state = State.ID_SENT;
        send(ctx, ID_TAG + " ID (\"x-originating-ip\" \"" + client.hostAddress()
            + "\" \"x-originating-port\" \"" + client.source().getPort()
            + "\" \"x-connected-ip\" \"" + client.destination().getAddress().getHostAddress()
            + "\" \"x-connected-port\" \"" + client.destination().getPort() + "\")");
    }

    private void finishReady(ChannelHandlerContext ctx) {
        // IMAP servers may speak unasked (untagged updates): what follows the last prelude answer is relayed.
        ByteBuf leftover = reader.unconsumed().isReadable() ? reader.unconsumed().retainedSlice() : Unpooled.EMPTY_BUFFER;
        List<String> learnt = List.copyOf(capabilities);
        finish(ctx, () -> outcome.ready(ctx.channel(), learnt, leftover));
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
