package org.jamesproxy.policy.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * A small pipelined RESP2 client on one Netty connection (James ships Netty; no second Redis library in the drop-in
 * jar). Commands are answered in order; a command that gets no answer within the timeout fails, and the connection
 * is dropped (the answers after it could no longer be matched), failing what was in flight. The next command
 * connects again, so a restarted Redis is picked up without a restart of James.
 */
final class RedisClient implements AutoCloseable {
    /** An error reply of the server. */
    static final class RedisException extends RuntimeException {
        RedisException(String message) {
            super(message);
        }
    }

    private record Pending(CompletableFuture<RespValue> answer, ScheduledFuture<?> timeout) {
    }

    private final RedisEndpoint endpoint;
    private final Duration timeout;
    private final Bootstrap bootstrap;
    private ChannelFuture connection;
    private volatile boolean closed;

    RedisClient(RedisEndpoint endpoint, Duration timeout, EventLoopGroup group) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel channel) {
                    channel.attr(Replies.QUEUE).set(new ArrayDeque<>());
                    channel.pipeline().addLast(new RespDecoder(), new Replies());
                }
            });
    }

    CompletableFuture<RespValue> send(String... command) {
        CompletableFuture<RespValue> answer = new CompletableFuture<>();
        if (closed) {
            answer.completeExceptionally(new IllegalStateException("closed"));
            return answer;
        }
        connection().addListener(connected -> {
            if (!connected.isSuccess()) {
                answer.completeExceptionally(connected.cause());
                return;
            }
            Channel channel = ((ChannelFuture) connected).channel();
            channel.eventLoop().execute(() -> write(channel, answer, command));
        });
        return answer;
    }

    /** On the connection's event loop: queued in order, written, and timed. */
    private void write(Channel channel, CompletableFuture<RespValue> answer, String[] command) {
        if (!channel.isActive()) {
            answer.completeExceptionally(new IllegalStateException("connection to " + endpoint + " lost"));
            return;
        }
        ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> {
            if (answer.completeExceptionally(new TimeoutException(endpoint + " did not answer within " + timeout))) {
                channel.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        channel.attr(Replies.QUEUE).get().add(new Pending(answer, timer));
        channel.writeAndFlush(encode(channel, command));
    }

    private synchronized ChannelFuture connection() {
        if (connection == null || (connection.isDone() && (!connection.isSuccess() || !connection.channel().isActive()))) {
            connection = bootstrap.connect(endpoint.host(), endpoint.port());
            ChannelFuture opening = connection;
            opening.addListener(connected -> {
                if (connected.isSuccess()) {
                    Channel channel = opening.channel();
                    // First on the new connection, before any queued command.
                    endpoint.password().ifPresent(password -> write(channel, new CompletableFuture<>(), new String[] {"AUTH", password}));
                    if (endpoint.database() != 0) {
                        write(channel, new CompletableFuture<>(), new String[] {"SELECT", Integer.toString(endpoint.database())});
                    }
                }
            });
        }
        return connection;
    }

    private static ByteBuf encode(Channel channel, String[] command) {
        List<byte[]> parts = new ArrayList<>(command.length);
        int size = 16;
        for (String part : command) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            parts.add(bytes);
            size += bytes.length + 16;
        }
        ByteBuf out = channel.alloc().buffer(size);
        out.writeCharSequence("*" + parts.size() + "\r\n", StandardCharsets.US_ASCII);
        for (byte[] bytes : parts) {
            out.writeCharSequence("$" + bytes.length + "\r\n", StandardCharsets.US_ASCII);
            out.writeBytes(bytes);
            out.writeCharSequence("\r\n", StandardCharsets.US_ASCII);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (connection != null) {
            connection.channel().close();
        }
    }

    /** Matches each reply with the oldest command waiting; fails them all when the connection goes. */
    private static final class Replies extends SimpleChannelInboundHandler<RespValue> {
        static final io.netty.util.AttributeKey<Queue<Pending>> QUEUE = io.netty.util.AttributeKey.valueOf("redis.pending");

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RespValue reply) {
            Pending pending = ctx.channel().attr(QUEUE).get().poll();
            if (pending == null) {
                ctx.close();
                return;
            }
            pending.timeout().cancel(false);
            if (reply instanceof RespValue.Error error) {
                pending.answer().completeExceptionally(new RedisException(error.message()));
            } else {
                pending.answer().complete(reply);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Queue<Pending> queue = ctx.channel().attr(QUEUE).get();
            for (Pending pending = queue.poll(); pending != null; pending = queue.poll()) {
                pending.timeout().cancel(false);
                pending.answer().completeExceptionally(new IllegalStateException("connection to Redis lost"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
