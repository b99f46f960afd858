package org.jamesproxy.client;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.List;
import java.util.Locale;

import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.Lines;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The plain phase of an sni-routed STARTTLS port: there is no upstream yet (the destination is only named in the
 * client's ClientHello), so the proxy greets and answers the client itself: capabilities, NOOP, STARTTLS, QUIT;
 * any other command gets a clear protocol error. On STARTTLS (nothing pipelined behind it, or the connection is
 * closed: CVE-2011-0411), the go-ahead is sent and the {@link SniPeeker} takes this handler's place.
 */
public final class PlainPhase extends ChannelInboundHandlerAdapter {
    public static final String NAME = "plainPhase";
    private static final int MAX_LINE = 1024;
    /** A client that does not come to STARTTLS after this many commands is not going to. */
    private static final int MAX_COMMANDS = 32;

    /** What one protocol answers before STARTTLS. */
    interface Dialect {
        String greeting();

        /** The answer lines, and whether the connection goes on, closes, or switches to TLS. */
        Answer answer(String line);

        String farewell(String reason);

        /** The same plain exchange toward an upstream, up to its STARTTLS go-ahead (for an allow destination). */
        List<UpstreamUpgrade.Step> upstreamUpgrade();
    }

    enum Next {
        CONTINUE, CLOSE, START_TLS
    }

    record Answer(List<String> lines, Next next) {
        static Answer reply(String... lines) {
            return new Answer(List.of(lines), Next.CONTINUE);
        }
    }

    public static PlainPhase imap(String helloName) {
        return new PlainPhase(new Dialect() {
            private static final String CAPABILITIES = "IMAP4rev1 STARTTLS LOGINDISABLED";

            @Override
            public String greeting() {
                return "* OK [CAPABILITY " + CAPABILITIES + "] " + helloName + " IMAP4rev1 proxy ready, STARTTLS first";
            }

            @Override
            public Answer answer(String line) {
                String[] words = line.split(" ", 3);
                if (words.length < 2) {
                    return Answer.reply("* BAD Missing command");
                }
                String tag = words[0];
                switch (words[1].toUpperCase(Locale.US)) {
                    case "CAPABILITY":
                        return Answer.reply("* CAPABILITY " + CAPABILITIES, tag + " OK CAPABILITY completed");
                    case "NOOP":
                        return Answer.reply(tag + " OK NOOP completed");
                    case "LOGOUT":
                        return new Answer(List.of("* BYE Logging out", tag + " OK LOGOUT completed"), Next.CLOSE);
                    case "STARTTLS":
                        return new Answer(List.of(tag + " OK Begin TLS negotiation now"), Next.START_TLS);
                    default:
                        return Answer.reply(tag + " NO [PRIVACYREQUIRED] STARTTLS first: the mail server is chosen by the"
                            + " name your TLS handshake asks for");
                }
            }

            @Override
            public String farewell(String reason) {
                return "* BYE " + reason;
            }

            @Override
            public List<UpstreamUpgrade.Step> upstreamUpgrade() {
                return UpstreamUpgrade.imap();
            }
        });
    }

    public static PlainPhase pop3(String helloName) {
        return new PlainPhase(new Dialect() {
            @Override
            public String greeting() {
                return "+OK " + helloName + " POP3 proxy ready, STLS first";
            }

            @Override
            public Answer answer(String line) {
                switch (line.split(" ", 2)[0].toUpperCase(Locale.US)) {
                    case "CAPA":
                        return Answer.reply("+OK Capability list follows", "STLS", ".");
                    case "NOOP":
                        return Answer.reply("+OK");
                    case "QUIT":
                        return new Answer(List.of("+OK Bye"), Next.CLOSE);
                    case "STLS":
                        return new Answer(List.of("+OK Begin TLS negotiation"), Next.START_TLS);
                    default:
                        return Answer.reply("-ERR [SYS/PERM] STLS first: the mail server is chosen by the name your TLS"
                            + " handshake asks for");
                }
            }

            @Override
            public String farewell(String reason) {
                return "-ERR " + reason;
            }

            @Override
            public List<UpstreamUpgrade.Step> upstreamUpgrade() {
                return UpstreamUpgrade.pop3();
            }
        });
    }

    public static PlainPhase smtp(String helloName) {
        return new PlainPhase(new Dialect() {
            @Override
            public String greeting() {
                return "220 " + helloName + " ESMTP james-mail-proxy ready, STARTTLS first";
            }

            @Override
            public Answer answer(String line) {
                switch (line.split(" ", 2)[0].toUpperCase(Locale.US)) {
                    case "EHLO":
                        return Answer.reply("250-" + helloName, "250 STARTTLS");
                    case "HELO":
                        return Answer.reply("250 " + helloName);
                    case "NOOP":
                    case "RSET":
                        return Answer.reply("250 2.0.0 OK");
                    case "QUIT":
                        return new Answer(List.of("221 2.0.0 Bye"), Next.CLOSE);
                    case "STARTTLS":
                        return new Answer(List.of("220 2.0.0 Ready to start TLS"), Next.START_TLS);
                    default:
                        return Answer.reply("530 5.7.0 Must issue a STARTTLS command first: the mail server is chosen"
                            + " by the name your TLS handshake asks for");
                }
            }

            @Override
            public String farewell(String reason) {
                return "421 4.7.0 " + reason;
            }

            @Override
            public List<UpstreamUpgrade.Step> upstreamUpgrade() {
                return UpstreamUpgrade.smtp(helloName);
            }
        });
    }

    private final Dialect dialect;
    private InputBuffer input;
    private int commands;
    private boolean done;

    private PlainPhase(Dialect dialect) {
        this.dialect = dialect;
    }

    /**
     * For an {@code allow} destination: brings a raw upstream connection to its STARTTLS go-ahead, so that the
     * client's TLS can be spliced to it. Runs on the upstream channel; the outcome is called on its event loop.
     */
    public ChannelInboundHandlerAdapter upstreamUpgrade(Runnable upgraded, java.util.function.Consumer<String> failed,
                                                        long timeoutMillis) {
        return new UpstreamUpgrade(dialect.upstreamUpgrade(), new UpstreamUpgrade.Outcome() {
            @Override
            public void upgraded() {
                upgraded.run();
            }

            @Override
            public void failed(String reason) {
                failed.accept(reason);
            }
        }, timeoutMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        input = new InputBuffer(ctx.alloc(), MAX_LINE);
        ctx.writeAndFlush(Lines.encode(dialect.greeting()));
        ctx.read();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        done = true;
        input.release();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            ((ByteBuf) msg).release();
            return;
        }
        input.add((ByteBuf) msg);
        try {
            ByteBuf line;
            while (!done && (line = input.nextLine()) != null) {
                String text;
                try {
                    text = line.toString(ISO_8859_1).trim();
                } finally {
                    line.release();
                }
                onCommand(ctx, text);
            }
        } catch (InputBuffer.LineTooLongException e) {
            closeWith(ctx, dialect.farewell("Command line too long"));
        }
    }

    private void onCommand(ChannelHandlerContext ctx, String line) {
        if (++commands > MAX_COMMANDS) {
            closeWith(ctx, dialect.farewell("Too many commands before STARTTLS"));
            return;
        }
        Answer answer = dialect.answer(line);
        if (answer.next() == Next.START_TLS && input.hasBufferedBytes()) {
            closeWith(ctx, dialect.farewell("Commands pipelined after STARTTLS are refused"));
            return;
        }
        answer.lines().forEach(reply -> ctx.write(Lines.encode(reply)));
        ctx.flush();
        if (answer.next() == Next.CLOSE) {
            closeWith(ctx, null);
        } else if (answer.next() == Next.START_TLS) {
            done = true;
            ctx.pipeline().replace(this, SniPeeker.NAME, new SniPeeker());
            // Nothing else reads before the peeker has the ClientHello (the relay waits for its upstream).
            ctx.channel().read();
        }
    }

    private void closeWith(ChannelHandlerContext ctx, String lastLine) {
        done = true;
        if (lastLine != null) {
            ctx.write(Lines.encode(lastLine));
        }
        ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // The peeker that took over reads for itself; the relay behind does not read before the upstream is there.
        ctx.channel().read();
    }
}
