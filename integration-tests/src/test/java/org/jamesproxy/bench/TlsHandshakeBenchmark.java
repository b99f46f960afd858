package org.jamesproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.tls.MintingServerTlsContext;
import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.tls.authority.ProxyAuthority;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.KeyAlgorithm;
import org.jamesproxy.tls.pki.Pkcs12KeyStores;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.jamesproxy.tls.pki.TrustStores;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

/**
 * Client-leg TLS handshakes (a main, not a test; run it, don't assert on it). A Netty server on loopback does full
 * handshakes (sessions are never resumed) with:
 * <ol>
 *   <li>(a) the Proxy Server certificate (ServerTlsContext: the production path, JDK provider);</li>
 *   <li>(b) a cached minted certificate (MintingServerTlsContext + ProxyAuthority, one host);</li>
 *   <li>(c) a first contact that mints (a new host name per connection: a mint, and a new SslContext);</li>
 * </ol>
 * each with the JDK provider and with Netty's OpenSSL (netty-tcnative-boringssl-static, test scope only), and prints
 * handshakes/s. Then it times minting alone: per leaf with an EC and an RSA Proxy Authority, and a cached lookup.
 * Properties: bench.seconds (10 per scenario, after 3 s warm-up), bench.clients (4 client threads), bench.mints (2000).
 */
public final class TlsHandshakeBenchmark {
    private static final int SECONDS = Integer.getInteger("bench.seconds", 10);
    private static final int CLIENTS = Integer.getInteger("bench.clients", 4);
    private static final int MINTS = Integer.getInteger("bench.mints", 2000);
    private static final int WARM_UP_SECONDS = 3;
    private static final byte[] GREETING = "OK\n".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        CertificateAuthority serverCa = CertificateAuthority.create("CN=Bench Proxy Server CA");
        IssuedCertificate serverCertificate = serverCa.issue(ServerCertificateRequest.forNames("proxy.example.com").build());
        CertificateAuthority proxyAuthorityCa = CertificateAuthority.create("CN=Bench Proxy Authority");
        CertificateAuthority upstreamCa = CertificateAuthority.create("CN=Bench Upstream CA", KeyAlgorithm.RSA_2048);
        X509Certificate upstreamLeaf = upstreamCa.issue(ServerCertificateRequest.forNames("imap.example.com", "mail.example.com")
            .keyAlgorithm(KeyAlgorithm.RSA_2048).validFor(Duration.ofDays(90)).build()).certificate();
        KeyStore trusted = TrustStores.of(List.of(serverCa.certificate(), proxyAuthorityCa.certificate()));

        System.out.printf(Locale.ROOT, "TLS handshake benchmark: %d client threads, %d s per scenario, %d cores, %s%n",
            CLIENTS, SECONDS, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.println("OpenSSL (netty-tcnative): " + (OpenSsl.isAvailable() ? OpenSsl.versionString() : "unavailable: " + OpenSsl.unavailabilityCause()));
        System.out.println();

        List<String> rows = new ArrayList<>();
        for (SslProvider provider : OpenSsl.isAvailable() ? List.of(SslProvider.JDK, SslProvider.OPENSSL) : List.of(SslProvider.JDK)) {
            Function<Channel, SslHandler> proxyServer = proxyServerHandlers(serverCertificate, provider);
            ProxyAuthority cachedAuthority = ProxyAuthority.create(proxyAuthorityCa);
            MintingServerTlsContext cached = new MintingServerTlsContext(cachedAuthority, TlsProfile.SERVER_STANDARD_PROFILE, provider);
            ProxyAuthority mintingAuthority = ProxyAuthority.create(proxyAuthorityCa);
            MintingServerTlsContext minting = new MintingServerTlsContext(mintingAuthority, TlsProfile.SERVER_STANDARD_PROFILE, provider);
            AtomicLong hosts = new AtomicLong();

            rows.add(run(provider, "(a) Proxy Server certificate", proxyServer, trusted));
            rows.add(run(provider, "(b) minted, cached", channel -> cached.newHandler(channel.alloc(), "imap.example.com",
                Optional.of(upstreamLeaf)), trusted));
            long mintsBefore = mintingAuthority.mintCount();
            rows.add(run(provider, "(c) first contact (mints)", channel -> minting.newHandler(channel.alloc(),
                "h" + hosts.incrementAndGet() + ".example.com", Optional.of(upstreamLeaf)), trusted)
                + String.format(Locale.ROOT, "   (%d mints)", mintingAuthority.mintCount() - mintsBefore));
        }
        System.out.println();
        System.out.println("Client-leg handshakes (full handshakes, TLSv1.3 and TLSv1.2 clients alternating):");
        rows.forEach(System.out::println);

        System.out.println();
        System.out.println("Minting alone (" + MINTS + " leaves each, after as many for warm-up):");
        mintCost("EC P-256 Proxy Authority", CertificateAuthority.create("CN=EC PA"), upstreamLeaf);
        mintCost("RSA 2048 Proxy Authority", CertificateAuthority.create("CN=RSA PA", KeyAlgorithm.RSA_2048), upstreamLeaf);
        System.exit(0);
    }

    private static Function<Channel, SslHandler> proxyServerHandlers(IssuedCertificate certificate, SslProvider provider) throws Exception {
        if (provider == SslProvider.JDK) {
            // The production path: James's SSLContext from a key store, through ServerTlsContext.
            KeyStore keyStore = Pkcs12KeyStores.keyStore(certificate, "proxy", "secret".toCharArray());
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, "secret".toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            ServerTlsContext server = new ServerTlsContext(context, TlsProfile.SERVER_STANDARD_PROFILE);
            return channel -> server.newHandler(channel.alloc());
        }
        SslContext context = SslContextBuilder.forServer(certificate.privateKey(), certificate.chainArray()).sslProvider(provider).build();
        return channel -> context.newHandler(channel.alloc());
    }

    private static String run(SslProvider provider, String scenario, Function<Channel, SslHandler> handlers, KeyStore trusted) throws Exception {
        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup workers = new NioEventLoopGroup(2);
        AtomicLong serverFailures = new AtomicLong();
        try {
            Channel server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childOption(io.netty.channel.ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        SslHandler ssl = handlers.apply(channel);
                        channel.pipeline().addLast(ssl, new ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                        ssl.handshakeFuture().addListener(done -> {
                            if (done.isSuccess()) {
                                channel.writeAndFlush(Unpooled.wrappedBuffer(GREETING));
                            } else {
                                serverFailures.incrementAndGet();
                                channel.close();
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            SSLContext client = TrustStores.clientContext(trusted);
            load(client, port, WARM_UP_SECONDS);
            long[] counts = load(client, port, SECONDS);
            server.close().sync();
            String row = String.format(Locale.ROOT, "  %-8s %-30s %8.0f handshakes/s   %.2f ms per handshake per client thread%s",
                provider, scenario, counts[0] / (double) SECONDS, SECONDS * 1000.0 * CLIENTS / Math.max(1, counts[0]),
                counts[1] + serverFailures.get() > 0 ? "   failures: " + counts[1] + " client / " + serverFailures.get() + " server" : "");
            System.out.println(row);
            return row;
        } finally {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** CLIENTS threads doing full handshakes for that long: {successes, failures}. */
    private static long[] load(SSLContext context, int port, int seconds) throws InterruptedException {
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch finished = new CountDownLatch(CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            String protocol = i % 2 == 0 ? "TLSv1.3" : "TLSv1.2";
            Thread thread = new Thread(() -> {
                try {
                    while (System.nanoTime() < deadline) {
                        if (handshake(context, port, protocol)) {
                            done.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    }
                } finally {
                    finished.countDown();
                }
            }, "bench-client-" + i);
            thread.setDaemon(true);
            thread.start();
        }
        finished.await();
        return new long[]{done.get(), failed.get()};
    }

    private static boolean handshake(SSLContext context, int port, String protocol) {
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
             SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", port, true)) {
            // Without it, Nagle + delayed ACK put ~40 ms into every handshake and the figures measure TCP, not TLS.
            plain.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[]{protocol});
            socket.startHandshake();
            InputStream in = socket.getInputStream();
            boolean ok = in.readNBytes(GREETING.length).length == GREETING.length;
            // A full handshake every time: the session must not be resumed.
            socket.getSession().invalidate();
            return ok;
        } catch (IOException e) {
            return false;
        }
    }

    private static void mintCost(String label, CertificateAuthority ca, X509Certificate upstreamLeaf) {
        ProxyAuthority authority = ProxyAuthority.create(ca);
        for (int i = 0; i < MINTS; i++) {
            authority.forHost("warm" + i + ".example.com", Optional.of(upstreamLeaf));
        }
        long start = System.nanoTime();
        for (int i = 0; i < MINTS; i++) {
            authority.forHost("m" + i + ".example.com", Optional.of(upstreamLeaf));
        }
        double mintMicros = (System.nanoTime() - start) / 1000.0 / MINTS;
        int lookups = 200_000;
        start = System.nanoTime();
        for (int i = 0; i < lookups; i++) {
            authority.forHost("m" + (i % MINTS) + ".example.com", Optional.of(upstreamLeaf));
        }
        double lookupMicros = (System.nanoTime() - start) / 1000.0 / lookups;
        System.out.printf(Locale.ROOT, "  %-26s mint %8.3f ms per leaf   cached lookup %6.2f us%n", label, mintMicros / 1000.0, lookupMicros);
    }
}
