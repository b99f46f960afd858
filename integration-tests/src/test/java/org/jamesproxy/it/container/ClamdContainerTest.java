package org.jamesproxy.it.container;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Base64;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The clamd container the antivirus proxy action's container test will use, checked with clamd's own protocol
 * (zPING, zINSTREAM): it answers, finds EICAR inside a MIME message (ScanMail), and passes a clean one.
 */
@ContainerTest
class ClamdContainerTest {
    /** The EICAR test string, kept encoded so that this source file is not itself flagged by scanners. */
    static final byte[] EICAR = Base64.getDecoder()
        .decode("WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo=");

    private static ClamdContainer clamd;

    @BeforeAll
    static void start() {
        clamd = new ClamdContainer();
        clamd.start();
    }

    @AfterAll
    static void stop() {
        if (clamd != null) {
            clamd.close();
        }
    }

    @Test
    void pingShouldAnswerPong() throws IOException {
        assertThat(command("zPING\0".getBytes(US_ASCII), null)).isEqualTo("PONG");
    }

    @Test
    void messageWithEicarAttachmentShouldBeFound() throws IOException {
        String reply = command("zINSTREAM\0".getBytes(US_ASCII), mimeMessage(EICAR));

        assertThat(reply).startsWith("stream: Eicar-Test-Signature").endsWith(".UNOFFICIAL FOUND");
    }

    @Test
    void cleanMessageShouldBeOk() throws IOException {
        assertThat(command("zINSTREAM\0".getBytes(US_ASCII), mimeMessage("just text\r\n".getBytes(US_ASCII))))
            .isEqualTo("stream: OK");
    }

    private static byte[] mimeMessage(byte[] attachment) {
        String message = "From: bob@demo.local\r\nTo: alice@demo.local\r\nSubject: attachment\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
            + "--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=file.com\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(attachment)
            + "\r\n--b1--\r\n";
        return message.getBytes(US_ASCII);
    }

    /** Sends the command (and, for zINSTREAM, the data as one chunk plus the end chunk); returns the reply without NUL. */
    private static String command(byte[] command, byte[] stream) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), clamd.port())) {
            socket.setSoTimeout(30_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.write(command);
            if (stream != null) {
                out.writeInt(stream.length);
                out.write(stream);
                out.writeInt(0);
            }
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            for (int b = in.read(); b > 0 && reply.size() < 1024; b = in.read()) {
                reply.write(b);
            }
            return reply.toString(US_ASCII).trim();
        }
    }
}
