package org.jamesproxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.tls.authority.ProxyAuthority;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.TrustStores;
import org.junit.jupiter.api.Test;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;

/** Both legs' log lines after a real handshake: the minted client leg, and an upstream leg verifying it. */
class TlsHandshakeLogTest {
    @Test
    void bothLegsAreDescribedWithProtocolCipherCertificatesAndVerdict() throws Exception {
        CertificateAuthority proxyAuthority = CertificateAuthority.create("CN=Proxy Authority");
        MintingServerTlsContext minting = new MintingServerTlsContext(ProxyAuthority.create(proxyAuthority), TlsProfile.SERVER_STANDARD_PROFILE);
        UpstreamTlsContext upstream = new UpstreamTlsContext(
            UpstreamTlsContext.context(TrustStores.of(proxyAuthority), TlsProfile.CLIENT_STANDARD_PROFILE),
            TlsProfile.CLIENT_STANDARD_PROFILE, "imap.example.com", 993);
        CompletableFuture<String> serverSide = new CompletableFuture<>();
        EventLoopGroup group = new NioEventLoopGroup(1);
        try (NettyTlsServer server = NettyTlsServer.start(channel -> {
            SslHandler handler = minting.newHandler(channel.alloc(), "imap.example.com", Optional.empty());
            handler.handshakeFuture().addListener(done -> serverSide.complete(TlsEngines.describe(channel)));
            return handler;
        })) {
            Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(upstream.newHandler(ch.alloc()));
                    }
                })
                .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port())).sync().channel();
            assertThat(client.pipeline().get(SslHandler.class).handshakeFuture().await().isSuccess()).isTrue();

            String upstreamLine = TlsHandshakeLog.upstreamLeg(client);
            String clientLine = serverSide.get(10, TimeUnit.SECONDS);

            assertThat(upstreamLine).matches("TLSv1\\.3 TLS_\\S+, certificate CN=imap\\.example\\.com \\(issuer CN=Proxy Authority, until \\S+\\), verdict trusted");
            assertThat(clientLine).matches("TLSv1\\.3 TLS_\\S+, SNI imap\\.example\\.com, presented CN=imap\\.example\\.com \\(issuer CN=Proxy Authority, until \\S+\\)");
            assertThat(TlsEngines.describe(client)).isEqualTo(upstreamLine);
            client.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
