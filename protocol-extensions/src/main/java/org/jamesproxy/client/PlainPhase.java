package org.jamesproxy.client;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.Lines;
import org.jamesproxy.relay.PlainDialogue.Answer;
import org.jamesproxy.relay.PlainDialogue.Next;
import org.jamesproxy.relay.PlainDialogue;
import org.jamesproxy.tls.ClientHello;
import org.jamesproxy.tls.SniPeeker;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The plain phase of an sni-routed STARTTLS port: there is no upstream yet (the destination is only named in the
 * client's ClientHello), so the proxy greets and answers the client itself: capabilities, NOOP, STARTTLS, QUIT;
 * any other command gets a clear protocol error. On STARTTLS (nothing pipelined behind it, or the connection is
 * closed: CVE-2011-0411), the go-ahead is sent and the {@link SniPeeker} takes this handler's place. The words are
 * the protocol's {@link PlainDialogue}; this class only runs them.
 */
public final class PlainPhase extends ChannelInboundHandlerAdapter {
    public static final String NAME = "plainPhase";
    private static final int MAX_LINE = 1024;
    /** A client that does not come to STARTTLS after this many commands is not going to. */
    private static final int MAX_COMMANDS = 32;

    private final PlainDialogue dialogue;
    private InputBuffer input;
    private int commands;
    private boolean done;

    /** @param dialogue what the protocol says, e.g. the IMAP session's {@code ImapPlainDialogue} */
    public PlainPhase(PlainDialogue dialogue) {
        this.dialogue = dialogue;
    }

    /**
     * For an {@code allow} destination: brings a raw upstream connection to its STARTTLS go-ahead, so that the
     * client's TLS can be spliced to it. Runs on the upstream channel; the outcome is called on its event loop.
     */
    public ChannelInboundHandlerAdapter upstreamUpgrade(Runnable upgraded, java.util.function.Consumer<String> failed,
                                                        long timeoutMillis) {
        return new UpstreamUpgrade(dialogue.upstreamUpgrade(), new UpstreamUpgrade.Outcome() {
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
        ctx.writeAndFlush(Lines.encode(dialogue.greeting()));
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
            closeWith(ctx, dialogue.farewell("Command line too long"));
        }
    }

    private void onCommand(ChannelHandlerContext ctx, String line) {
        if (++commands > MAX_COMMANDS) {
            closeWith(ctx, dialogue.farewell("Too many commands before STARTTLS"));
            return;
        }
        Answer answer = dialogue.answer(line);
        if (answer.next() == Next.START_TLS && input.hasBufferedBytes()) {
            closeWith(ctx, dialogue.farewell("Commands pipelined after STARTTLS are refused"));
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
