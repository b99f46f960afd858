package org.jamesproxy.engine.spamassassin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.jamesproxy.engine.EngineEndpoint;
import org.jamesproxy.engine.testing.SpamdDaemon;
import org.jamesproxy.engine.testing.TestMessages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SpamdClientTest {
    @RegisterExtension
    static SpamdDaemon spamd = new SpamdDaemon();

    private static final ExecutorService EXECUTOR = Executors.newCachedThreadPool();

    @AfterAll
    static void shutdown() {
        EXECUTOR.shutdownNow();
    }

    private static SpamdResult reply(String text) throws IOException {
        return SpamdClient.readReply(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Nested
    class AgainstRealSpamd {
        @Test
        void pingShouldGetPong() throws IOException {
            spamd.client().ping();
        }

        @Test
        void gtubeShouldBeSpam() {
            byte[] message = TestMessages.gtube("cheap pills");

            SpamdResult result = spamd.client().check(message, message.length, Optional.of("alice"));

            assertThat(result.isError()).as(result.toString()).isFalse();
            assertThat(result.isSpam()).isTrue();
            assertThat(result.getScore()).isGreaterThanOrEqualTo(1000);
            assertThat(result.getThreshold()).isEqualTo(5.0);
            assertThat(result.getSymbols()).contains("GTUBE");
        }

        @Test
        void ordinaryNoteShouldBeHam() {
            byte[] message = TestMessages.ham("meeting moved");

            SpamdResult result = spamd.client().check(message, message.length, Optional.empty());

            assertThat(result.isError()).as(result.toString()).isFalse();
            assertThat(result.isSpam()).isFalse();
            assertThat(result.getScore()).isLessThan(5.0);
            assertThat(result.getSymbols()).doesNotContain("GTUBE");
        }

        @Test
        void onlyTheGivenLengthShouldBeSent() {
            byte[] ham = TestMessages.ham("meeting moved");
            byte[] padded = new byte[ham.length + 1000];
            System.arraycopy(ham, 0, padded, 0, ham.length);
            byte[] gtube = TestMessages.gtube("tail");
            System.arraycopy(gtube, 0, padded, ham.length, Math.min(1000, gtube.length));

            SpamdResult result = spamd.client().check(padded, ham.length, Optional.empty());

            assertThat(result.isSpam()).isFalse();
        }
    }

    @Nested
    class EngineUnavailable {
        @Test
        void nothingListeningShouldBeAnError() throws IOException {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            SpamdClient client = new SpamdClient(EngineEndpoint.of("127.0.0.1", port, Duration.ofSeconds(2), Duration.ofSeconds(5)));
            byte[] message = TestMessages.gtube("x");

            SpamdResult result = client.check(message, message.length, Optional.empty());

            assertThat(result.isError()).isTrue();
            assertThat(result.getErrorReason()).contains("unreachable");
            assertThatThrownBy(client::ping).isInstanceOf(IOException.class);
        }

        @Test
        void silentDaemonShouldTimeOut() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                EXECUTOR.submit(() -> {
                    try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
                        in.transferTo(OutputStream.nullOutputStream());
                        Thread.sleep(10_000);
                    }
                    return null;
                });
                SpamdClient client = new SpamdClient(EngineEndpoint.of("127.0.0.1", server.getLocalPort(),
                    Duration.ofSeconds(2), Duration.ofMillis(500)));
                byte[] message = TestMessages.gtube("x");

                long start = System.nanoTime();
                SpamdResult result = client.check(message, message.length, Optional.empty());

                assertThat(result.isError()).isTrue();
                assertThat(result.getErrorReason()).contains("timed out");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
        }

        @Test
        void invalidUserShouldBeRejectedBeforeAnythingIsSent() {
            byte[] message = TestMessages.gtube("x");

            assertThatThrownBy(() -> spamd.client().check(message, message.length, Optional.of("alice\r\nContent-length: 1")))
                .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Replies {
        @Test
        void symbolsReplyShouldBeParsed() throws IOException {
            SpamdResult result = reply("SPAMD/1.1 0 EX_OK\r\nContent-length: 17\r\nSpam: True ; 1000.0 / 5.0\r\n\r\nGTUBE,NO_RECEIVED");

            assertThat(result).isEqualTo(SpamdResult.verdict(true, 1000.0, 5.0, java.util.List.of("GTUBE", "NO_RECEIVED")));
        }

        @Test
        void negativeScoreAndFalseShouldBeHam() throws IOException {
            SpamdResult result = reply("SPAMD/1.1 0 EX_OK\r\nSpam: False ; -1.9 / 5.0\r\n\r\n");

            assertThat(result).isEqualTo(SpamdResult.verdict(false, -1.9, 5.0, java.util.List.of()));
        }

        @Test
        void errorCodeShouldBeAnError() throws IOException {
            assertThat(reply("SPAMD/1.0 76 Bad header line: BOGUS\r\n").getErrorReason())
                .isEqualTo("spamd error 76: Bad header line: BOGUS");
        }

        @Test
        void malformedRepliesShouldBeErrors() throws IOException {
            assertThat(reply("").getErrorReason()).contains("without a reply");
            assertThat(reply("HTTP/1.1 200 OK\r\n\r\n").getErrorReason()).contains("unexpected spamd reply");
            assertThat(reply("SPAMD/1.1 0 EX_OK\r\n\r\n").getErrorReason()).contains("without a Spam header");
            assertThat(reply("SPAMD/1.1 0 EX_OK\r\nSpam: maybe\r\n\r\n").getErrorReason()).contains("malformed spamd verdict");
            assertThat(reply("SPAMD/1.1 0 EX_OK\r\nSpam: True ; 9 / 5\r\nContent-length: 99999999\r\n\r\n").getErrorReason())
                .contains("out of bounds");
            // check() turns this into an error result like any other I/O failure
            assertThatThrownBy(() -> reply("SPAMD/1.1 0 EX_OK\r\n" + "x".repeat(SpamdClient.MAX_LINE + 10) + "\r\n"))
                .isInstanceOf(org.jamesproxy.engine.BoundedReader.ReplyTooLongException.class);
        }
    }
}
