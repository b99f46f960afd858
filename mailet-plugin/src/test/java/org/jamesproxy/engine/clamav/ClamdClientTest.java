package org.jamesproxy.engine.clamav;

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
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.jamesproxy.engine.EngineEndpoint;
import org.jamesproxy.engine.testing.ClamdDaemon;
import org.jamesproxy.engine.testing.TestMessages;
import org.jamesproxy.engine.testing.TestSignatures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClamdClientTest {
    private static final long MB = 1024 * 1024;

    @RegisterExtension
    static ClamdDaemon clamd = ClamdDaemon.withDefaults();

    /** clamd with small limits: StreamMaxLength 2M, MaxFileSize/MaxScanSize 1M (AlertExceedsMax yes). */
    @RegisterExtension
    static ClamdDaemon smallClamd = ClamdDaemon.builder().streamMaxLength("2M").maxFileSize("1M").build();

    private static byte[] filler(int size) {
        byte[] data = new byte[size];
        Arrays.fill(data, (byte) 'x');
        return data;
    }

    @Nested
    class AgainstRealClamd {
        @Test
        void pingShouldGetPong() throws IOException {
            clamd.client().ping();
        }

        @Test
        void eicarShouldBeInfectedAndNamed() {
            ClamdResult result = clamd.client().scan(TestSignatures.eicar(), MB);

            assertThat(result.getStatus()).isEqualTo(ClamdResult.Status.INFECTED);
            assertThat(result.getSignature()).hasValueSatisfying(name -> assertThat(name).startsWith("JamesProxy-Test-Eicar"));
            assertThat(result.getBytesSent()).isEqualTo(68);
        }

        @Test
        void eicarInABase64AttachmentOfARawMessageShouldBeInfected() {
            ClamdResult result = clamd.client().scan(TestMessages.withEicarAttachment("infected"), MB);

            assertThat(result.getStatus()).isEqualTo(ClamdResult.Status.INFECTED);
        }

        @Test
        void cleanMessageShouldBeClean() {
            ClamdResult result = clamd.client().scan(TestMessages.ham("hello"), MB);

            assertThat(result).isEqualTo(ClamdResult.clean(TestMessages.ham("hello").length));
        }

        @Test
        void inputStreamShouldBeScannedInChunks() throws Exception {
            byte[] data = new byte[200_000];
            Arrays.fill(data, (byte) 'a');
            System.arraycopy(TestSignatures.eicar(), 0, data, 150_000, 68);
            ClamdClient smallChunks = new ClamdClient(clamd.endpoint(Duration.ofSeconds(30)), 1000);

            ClamdResult result = smallChunks.scan(new ByteArrayInputStream(data), MB);

            assertThat(result.getStatus()).isEqualTo(ClamdResult.Status.INFECTED);
            assertThat(result.getBytesSent()).isEqualTo(200_000);
        }

        @Test
        void streamLongerThanTheLimitShouldBeOversizeNotClean() throws Exception {
            ClamdResult result = clamd.client().scan(new ByteArrayInputStream(filler(300_000)), 100_000);

            assertThat(result.getStatus()).isEqualTo(ClamdResult.Status.OVERSIZE);
            assertThat(result.getBytesSent()).isEqualTo(100_000);
        }

        @Test
        void streamOfExactlyTheLimitShouldBeClean() {
            assertThat(clamd.client().scan(filler(100_000), 100_000).getStatus()).isEqualTo(ClamdResult.Status.CLEAN);
        }

        @Test
        void virusInTheScannedPrefixShouldBeInfectedEvenWhenTruncated() {
            byte[] data = filler(300_000);
            System.arraycopy(TestSignatures.eicar(), 0, data, 1000, 68);

            ClamdResult result = clamd.client().scan(data, 100_000);

            assertThat(result.getStatus()).isEqualTo(ClamdResult.Status.INFECTED);
            assertThat(result.isTruncated()).isTrue();
        }

        @Test
        void virusBeyondTheLimitShouldBeOversize() {
            byte[] data = filler(300_000);
            System.arraycopy(TestSignatures.eicar(), 0, data, 200_000, 68);

            assertThat(clamd.client().scan(data, 100_000).getStatus()).isEqualTo(ClamdResult.Status.OVERSIZE);
        }

        @Test
        void streamOverClamdsStreamMaxLengthShouldBeOversize() {
            ClamdResult result = smallClamd.client().scan(filler((int) (3 * MB)), 10 * MB);

            assertThat(result.getStatus()).isEqualTo(ClamdResult.Status.OVERSIZE);
            assertThat(result.getReason()).contains("StreamMaxLength");
        }

        @Test
        void fileOverClamdsMaxFileSizeShouldBeOversizeNotClean() {
            ClamdResult result = smallClamd.client().scan(filler((int) (1.5 * MB)), 10 * MB);

            assertThat(result.getStatus()).isEqualTo(ClamdResult.Status.OVERSIZE);
            assertThat(result.getReason()).contains("Heuristics.Limits.Exceeded");
        }

        @Test
        void failingSourceShouldBeReportedAsSuchNotAsAnEngineResult() {
            assertThatThrownBy(() -> clamd.client().scan(out -> {
                out.write(filler(10));
                throw new IOException("broken base64");
            }, MB))
                .isInstanceOf(ClamdClient.SourceException.class)
                .hasMessageContaining("broken base64");
        }
    }

    @Nested
    class EngineUnavailable {
        private final ExecutorService executor = Executors.newCachedThreadPool();

        @AfterEach
        void shutdown() {
            executor.shutdownNow();
        }

        @Test
        void nothingListeningShouldBeAnError() throws IOException {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            ClamdClient client = new ClamdClient(EngineEndpoint.of("127.0.0.1", port, Duration.ofSeconds(2), Duration.ofSeconds(5)));

            ClamdResult result = client.scan(TestSignatures.eicar(), MB);

            assertThat(result.getStatus()).isEqualTo(ClamdResult.Status.ERROR);
            assertThat(result.getReason()).contains("unreachable");
            assertThatThrownBy(client::ping).isInstanceOf(IOException.class);
        }

        @Test
        void silentDaemonShouldTimeOut() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                executor.submit(() -> drainSilently(server));
                ClamdClient client = new ClamdClient(EngineEndpoint.of("127.0.0.1", server.getLocalPort(),
                    Duration.ofSeconds(2), Duration.ofMillis(500)));

                long start = System.nanoTime();
                ClamdResult result = client.scan(TestSignatures.eicar(), MB);

                assertThat(result.getStatus()).isEqualTo(ClamdResult.Status.ERROR);
                assertThat(result.getReason()).contains("timed out");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
        }

        @Test
        void daemonThatStopsReadingShouldNotBlockTheWriterBeyondTheTimeout() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                executor.submit(() -> acceptAndHold(server));
                ClamdClient client = new ClamdClient(EngineEndpoint.of("127.0.0.1", server.getLocalPort(),
                    Duration.ofSeconds(2), Duration.ofMillis(700)));

                long start = System.nanoTime();
                ClamdResult result = client.scan(filler((int) (64 * MB)), 128 * MB);

                assertThat(result.getStatus()).isEqualTo(ClamdResult.Status.ERROR);
                assertThat(result.getReason()).contains("timed out");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
        }

        @Test
        void garbageReplyShouldBeAnError() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                executor.submit(() -> answer(server, "HELLO THERE\0".getBytes(StandardCharsets.US_ASCII)));
                ClamdClient client = new ClamdClient(EngineEndpoint.of("127.0.0.1", server.getLocalPort(),
                    Duration.ofSeconds(2), Duration.ofSeconds(5)));

                ClamdResult result = client.scan(TestSignatures.eicar(), MB);

                assertThat(result.getStatus()).isEqualTo(ClamdResult.Status.ERROR);
                assertThat(result.getReason()).contains("unexpected clamd reply: HELLO THERE");
            }
        }

        @Test
        void endlessReplyShouldBeCutAndAnError() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                executor.submit(() -> answer(server, filler(ClamdClient.MAX_REPLY * 4)));
                ClamdClient client = new ClamdClient(EngineEndpoint.of("127.0.0.1", server.getLocalPort(),
                    Duration.ofSeconds(2), Duration.ofSeconds(5)));

                ClamdResult result = client.scan(TestSignatures.eicar(), MB);

                assertThat(result.getStatus()).isEqualTo(ClamdResult.Status.ERROR);
                assertThat(result.getReason()).contains("reply longer than");
            }
        }

        @Test
        void stoppedClamdShouldBeAnErrorAndRestartedClamdShouldScanAgain() {
            ClamdDaemon own = ClamdDaemon.withDefaults();
            try {
                own.start();
                own.stop();

                assertThat(own.client().scan(TestSignatures.eicar(), MB).getStatus()).isEqualTo(ClamdResult.Status.ERROR);

                own.start();
                assertThat(own.client().scan(TestSignatures.eicar(), MB).getStatus()).isEqualTo(ClamdResult.Status.INFECTED);
            } finally {
                own.close();
            }
        }

        private Void drainSilently(ServerSocket server) throws IOException {
            try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return null;
        }

        private Void acceptAndHold(ServerSocket server) throws Exception {
            try (Socket socket = server.accept()) {
                Thread.sleep(TimeUnit.SECONDS.toMillis(10));
            }
            return null;
        }

        private Void answer(ServerSocket server, byte[] reply) throws IOException {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                byte[] command = in.readNBytes(10);
                if (new String(command, StandardCharsets.US_ASCII).equals("zINSTREAM\0")) {
                    socket.getOutputStream().write(reply);
                    socket.getOutputStream().flush();
                }
                in.transferTo(OutputStream.nullOutputStream());
            }
            return null;
        }
    }

    @Nested
    class Replies {
        @Test
        void interpretShouldReadEveryKindOfReply() {
            assertThat(ClamdClient.interpret("stream: OK\0", false, 10, 5)).isEqualTo(ClamdResult.clean(5));
            assertThat(ClamdClient.interpret("stream: OK", true, 10, 10).getStatus()).isEqualTo(ClamdResult.Status.OVERSIZE);
            assertThat(ClamdClient.interpret("stream: Win.Test.EICAR_HDB-1 FOUND", false, 10, 5))
                .isEqualTo(ClamdResult.infected("Win.Test.EICAR_HDB-1", 5));
            assertThat(ClamdClient.interpret("stream: Win.Test.EICAR_HDB-1 FOUND", true, 10, 10).getStatus())
                .isEqualTo(ClamdResult.Status.INFECTED);
            assertThat(ClamdClient.interpret("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND", false, 10, 5).getStatus())
                .isEqualTo(ClamdResult.Status.OVERSIZE);
            assertThat(ClamdClient.interpret("INSTREAM size limit exceeded. ERROR", false, 10, 5).getStatus())
                .isEqualTo(ClamdResult.Status.OVERSIZE);
            assertThat(ClamdClient.interpret("stream: Can't allocate memory ERROR", false, 10, 5).getStatus())
                .isEqualTo(ClamdResult.Status.ERROR);
            assertThat(ClamdClient.interpret("", false, 10, 5).getReason()).contains("without a reply");
            assertThat(ClamdClient.interpret("UNKNOWN COMMAND\n\u0007", false, 10, 5).getReason())
                .isEqualTo("unexpected clamd reply: UNKNOWN COMMAND");
        }
    }
}
