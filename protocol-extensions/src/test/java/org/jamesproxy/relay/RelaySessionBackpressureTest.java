package org.jamesproxy.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.config.UpstreamConfig;
import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.upstream.UpstreamConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The pump alone, with a protocol that relays every byte as it comes: a fast sender on one leg and a reader that
 * does not read on the other must never make the proxy hold more for the slow leg than its high-water mark plus one
 * read. Checked at every write the pump makes (no timing), then the slow side reads everything, intact.
 */
class RelaySessionBackpressureTest {
    /** Netty's default receive allocator (AdaptiveRecvByteBufAllocator) reads at most this much at a time. */
    private static final int MAX_READ = 65536;
    private static final int TOTAL = 8 * 1024 * 1024;
    private static final int SMALL_SOCKET_BUFFER = 8 * 1024;

    private final EventLoopGroup loop = new NioEventLoopGroup(1);
    private final AtomicReference<Pump> pump = new AtomicReference<>();
    private ServerSocket upstreamServer;
    private Channel proxy;
    private Socket client;
    private Socket upstream;

    @BeforeEach
    void setUp() throws Exception {
        upstreamServer = new ServerSocket();
        // Inherited by the accepted socket: the upstream's side holds little for a slow upstream reader.
        upstreamServer.setReceiveBufferSize(SMALL_SOCKET_BUFFER);
        upstreamServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        UpstreamConnector connector = new UpstreamConnector(new UpstreamConfig("127.0.0.1", upstreamServer.getLocalPort(),
            UpstreamTls.NONE, Optional.empty(), "127.0.0.1", TlsProfile.DEFAULT, Duration.ofSeconds(5)), Optional.empty());
        FixedRoute route = new FixedRoute(connector);
        proxy = new ServerBootstrap()
            .group(loop)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel channel) {
                    Pump session = new Pump(channel, route);
                    pump.set(session);
                    channel.pipeline().addLast(session.clientHandler());
                }
            })
            .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        client = new Socket();
        client.setReceiveBufferSize(SMALL_SOCKET_BUFFER);
        client.connect(proxy.localAddress());
        upstream = upstreamServer.accept();
        upstream.setSendBufferSize(SMALL_SOCKET_BUFFER);
        await().atMost(Duration.ofSeconds(10)).until(() -> pump.get() != null && pump.get().attached);
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        upstream.close();
        upstreamServer.close();
        proxy.close().sync();
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }

    @Test
    void clientThatDoesNotReadShouldNeverMakeTheProxyBufferMoreThanTheBoundFromAFastUpstream() throws Exception {
        Thread sender = send(upstream.getOutputStream());
        Pump session = pump.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> session.clientWasUnwritable);

        receive(client.getInputStream());
        sender.join();

        long bound = session.client.config().getWriteBufferHighWaterMark() + MAX_READ;
        assertThat(session.maxClientPending.get()).isBetween(1L, bound);
        assertThat(session.upstreamReadsWhileClientUnwritable.get()).isZero();
        assertThat(session.relayedToClient.get()).isEqualTo(TOTAL);
    }

    @Test
    void upstreamThatDoesNotReadShouldNeverMakeTheProxyBufferMoreThanTheBoundFromAFastClient() throws Exception {
        Thread sender = send(client.getOutputStream());
        Pump session = pump.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> session.upstreamWasUnwritable);

        receive(upstream.getInputStream());
        sender.join();

        long bound = session.upstreamChannel().config().getWriteBufferHighWaterMark() + MAX_READ;
        assertThat(session.maxUpstreamPending.get()).isBetween(1L, bound);
        assertThat(session.clientReadsWhileUpstreamUnwritable.get()).isZero();
        assertThat(session.relayedToUpstream.get()).isEqualTo(TOTAL);
    }

    /** Writes TOTAL bytes of a pattern as fast as the socket takes them, then leaves the connection open. */
    private static Thread send(OutputStream out) {
        Thread sender = new Thread(() -> {
            byte[] chunk = new byte[16 * 1024];
            try {
                for (int sent = 0; sent < TOTAL; sent += chunk.length) {
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = pattern(sent + i);
                    }
                    out.write(chunk);
                }
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "backpressure-sender");
        sender.setDaemon(true);
        sender.start();
        return sender;
    }

    /** Reads exactly TOTAL bytes and checks each one. */
    private static void receive(InputStream in) throws IOException {
        byte[] buffer = new byte[4096];
        long received = 0;
        while (received < TOTAL) {
            int read = in.read(buffer);
            assertThat(read).as("end of stream after %d bytes", received).isPositive();
            for (int i = 0; i < read; i++) {
                if (buffer[i] != pattern(received + i)) {
                    throw new AssertionError("byte " + (received + i) + " differs");
                }
            }
            received += read;
        }
    }

    private static byte pattern(long offset) {
        return (byte) (offset % 251);
    }

    /** A protocol that relays every byte both ways, and records what the pump had pending at each write. */
    private static final class Pump extends RelaySession {
        private final UpstreamRoute route;
        private final SessionLog log;
        volatile boolean attached;
        volatile boolean clientWasUnwritable;
        volatile boolean upstreamWasUnwritable;
        final AtomicLong maxClientPending = new AtomicLong();
        final AtomicLong maxUpstreamPending = new AtomicLong();
        final AtomicLong upstreamReadsWhileClientUnwritable = new AtomicLong();
        final AtomicLong clientReadsWhileUpstreamUnwritable = new AtomicLong();
        final AtomicLong relayedToClient = new AtomicLong();
        final AtomicLong relayedToUpstream = new AtomicLong();

        Pump(Channel client, UpstreamRoute route) {
            super(client, route, new RecordingMetricFactory().generate("active"));
            this.route = route;
            this.log = new SessionLog(LoggerFactory.getLogger(RelaySessionBackpressureTest.class), "PUMP", "test",
                remoteAddress, sessionId, Optional::empty);
        }

        Channel upstreamChannel() {
            return upstream;
        }

        @Override
        protected SessionLog log() {
            return log;
        }

        @Override
        protected void onClientConnected() {
            connectUpstream(new UpstreamPrelude(route.connector()) {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    super.channelActive(ctx);
                    finish(ctx, () -> {
                        attachUpstream(ctx.channel());
                        attached = true;
                        readClientIfPossible();
                        readUpstreamIfPossible();
                    });
                }

                @Override
                protected void onBytes(ChannelHandlerContext ctx, ByteBuf bytes) {
                    bytes.release();
                }

                @Override
                protected void releaseInput() {
                }

                @Override
                protected void onFailed(String reason) {
                    closeWithFarewell(reason);
                }
            });
        }

        @Override
        protected void onClientBytes(ByteBuf bytes) {
            if (!upstream.isWritable()) {
                clientReadsWhileUpstreamUnwritable.incrementAndGet();
            }
            relayedToUpstream.addAndGet(bytes.readableBytes());
            upstream.writeAndFlush(bytes);
            maxUpstreamPending.accumulateAndGet(pending(upstream), Math::max);
            upstreamWasUnwritable |= !upstream.isWritable();
        }

        @Override
        protected void onUpstreamBytes(ByteBuf bytes) {
            if (!client.isWritable()) {
                upstreamReadsWhileClientUnwritable.incrementAndGet();
            }
            relayedToClient.addAndGet(bytes.readableBytes());
            client.writeAndFlush(bytes);
            maxClientPending.accumulateAndGet(pending(client), Math::max);
            clientWasUnwritable |= !client.isWritable();
        }

        private static long pending(Channel channel) {
            ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
            return buffer == null ? 0 : buffer.totalPendingWriteBytes();
        }

        @Override
        protected boolean clientPaused() {
            return false;
        }

        @Override
        protected boolean upstreamPaused() {
            return false;
        }

        @Override
        protected String farewell(String reason) {
            return "BYE " + reason;
        }

        @Override
        protected PlainDialogue plainDialogue() {
            throw new UnsupportedOperationException("a fixed route has no plain phase of its own");
        }

        @Override
        protected void releaseProtocolResources() {
        }
    }
}
