package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.relay.Failures;
import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.tls.TlsBoundary;
import org.jamesproxy.upstream.UpstreamConnector;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;

/**
 * Brings the upstream leg to the point where a client can use it: greeting read, TLS in place and verified
 * (implicit, or STARTTLS with the injection check), and the capabilities learnt over TLS. Whatever was learnt
 * before TLS is thrown away. Any deviation aborts: the proxy never falls back to plaintext on its own.
 */
final class ImapUpstreamPrelude extends ChannelInboundHandlerAdapter {
    interface Outcome {
        /** @param leftover bytes read after the last prelude response, to be relayed (post-TLS, safe) */
        void ready(Channel upstream, List<String> capabilities, ByteBuf leftover);

        void failed(String reason);
    }

    private enum State {
        GREETING, CAPABILITY_BEFORE_TLS, STARTTLS_SENT, HANDSHAKING, CAPABILITY, DONE
    }

    private static final String CAPABILITY_BEFORE_TLS_TAG = "JMP0";
    private static final String STARTTLS_TAG = "JMP1";
    private static final String CAPABILITY_TAG = "JMP2";

    private final UpstreamConnector connector;
    private final Outcome outcome;
    private final ImapFrameReader reader;
    private final long timeoutMillis;
    private State state = State.GREETING;
    private List<String> capabilities = new ArrayList<>();
    private ScheduledFuture<?> timeout;

    ImapUpstreamPrelude(UpstreamConnector connector, Outcome outcome, ImapFrameReader reader) {
        this.connector = connector;
        this.outcome = outcome;
        this.reader = reader;
        this.timeoutMillis = Math.max(5_000, 3 * connector.getConfig().getConnectTimeout().toMillis());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> fail(ctx, "the mail server did not complete its greeting in time"),
            timeoutMillis, TimeUnit.MILLISECONDS);
        SslHandler implicitTls = ctx.pipeline().get(SslHandler.class);
        if (implicitTls != null) {
            implicitTls.handshakeFuture().addListener(handshake -> {
                if (!handshake.isSuccess()) {
                    fail(ctx, "TLS with the mail server failed: " + Failures.describe(handshake.cause()));
                }
            });
        }
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.DONE) {
            ctx.fireChannelRead(msg);
            return;
        }
        reader.add((ByteBuf) msg);
        try {
            ImapFrame frame;
            while (state != State.DONE && state != State.HANDSHAKING && (frame = reader.next()) != null) {
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

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state != State.DONE && state != State.HANDSHAKING) {
            ctx.read();
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
                    upgrade(ctx);
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
        if (connector.getConfig().getTls() == UpstreamTls.STARTTLS) {
            if (advertised.isPresent()) {
                capabilities = new ArrayList<>(advertised.get());
                sendStartTls(ctx);
            } else {
                state = State.CAPABILITY_BEFORE_TLS;
                write(ctx, CAPABILITY_BEFORE_TLS_TAG + " CAPABILITY");
            }
            return;
        }
        if (advertised.isPresent()) {
            capabilities = new ArrayList<>(advertised.get());
            ready(ctx);
        } else {
            state = State.CAPABILITY;
            write(ctx, CAPABILITY_TAG + " CAPABILITY");
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
        write(ctx, STARTTLS_TAG + " STARTTLS");
    }

    private void upgrade(ChannelHandlerContext ctx) {
        state = State.HANDSHAKING;
        try {
            TlsBoundary.upgrade(ctx.channel(), connector.tlsContext().newHandler(ctx.alloc()), reader.unconsumed())
                .addListener(handshake -> {
                    if (!handshake.isSuccess()) {
                        fail(ctx, "TLS with the mail server failed: " + Failures.describe(handshake.cause()));
                        return;
                    }
                    // Everything learnt in clear is discarded: ask again, over TLS.
                    capabilities = new ArrayList<>();
                    state = State.CAPABILITY;
                    write(ctx, CAPABILITY_TAG + " CAPABILITY");
                    ctx.read();
                });
        } catch (TlsBoundary.PlaintextInjectionException e) {
            fail(ctx, "the mail server sent data after its STARTTLS go-ahead (" + e.getMessage() + ")");
        }
    }

    private void ready(ChannelHandlerContext ctx) {
        state = State.DONE;
        cancelTimeout();
        ByteBuf leftover = reader.unconsumed().isReadable() ? reader.unconsumed().retainedSlice() : Unpooled.EMPTY_BUFFER;
        reader.release();
        ctx.pipeline().remove(this);
        outcome.ready(ctx.channel(), List.copyOf(capabilities), leftover);
    }

    private void write(ChannelHandlerContext ctx, String command) {
        ctx.writeAndFlush(Unpooled.copiedBuffer(command + "\r\n", US_ASCII));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "the mail server closed the connection");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, Failures.describe(cause));
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        cancelTimeout();
        reader.release();
        ctx.close();
        outcome.failed(reason);
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
