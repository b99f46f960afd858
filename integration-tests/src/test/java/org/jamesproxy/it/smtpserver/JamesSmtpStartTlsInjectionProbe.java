package org.jamesproxy.it.smtpserver;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A raw SMTP client for the CVE-2011-0411 probe against James's own SMTP server: what is written goes out in exactly
 * the writes the test asks for (so that pipelined bytes arrive in one packet), and every reply line is read as sent.
 */
final class JamesSmtpStartTlsInjectionProbe implements AutoCloseable {
    private final Socket plain;
    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    JamesSmtpStartTlsInjectionProbe(int port) throws IOException {
        plain = new Socket(InetAddress.getLoopbackAddress(), port);
        plain.setSoTimeout(10_000);
        use(plain);
    }

    private void use(Socket current) throws IOException {
        socket = current;
        in = new BufferedReader(new InputStreamReader(current.getInputStream(), US_ASCII));
        out = current.getOutputStream();
    }

    /** One write, flushed. */
    JamesSmtpStartTlsInjectionProbe write(String bytes) throws IOException {
        out.write(bytes.getBytes(US_ASCII));
        out.flush();
        return this;
    }

    /** The lines of one reply (multi-line included); empty at the end of the stream. */
    List<String> reply() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                break;
            }
        }
        return lines;
    }

    String replyLine() throws IOException {
        List<String> lines = reply();
        return lines.isEmpty() ? "<end of stream>" : lines.get(lines.size() - 1);
    }

    /** Sends the command and returns the last line of its reply. */
    String command(String line) throws IOException {
        write(line + "\r\n");
        return replyLine();
    }

    /** EHLO, then one whole mail transaction in clear to {@code recipient}; the reply to the final dot. */
    String oneMailTransaction(String recipient, String body) throws IOException {
        replyLine();
        command("EHLO probe.test");
        command("MAIL FROM:<probe@example.com>");
        command("RCPT TO:<" + recipient + ">");
        command("DATA");
        write("Subject: probe\r\n\r\n" + body + "\r\n.\r\n");
        return replyLine();
    }

    /** TLS on the same connection (after a 220 go-ahead), trusting the context's anchors. */
    void startTls(SSLContext context) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
        tls.setUseClientMode(true);
        tls.setSoTimeout(3_000);
        tls.startHandshake();
        use(tls);
    }

    /**
     * What arrives on the connection within its read timeout, unasked: the reply lines, then {@code <end of stream>}
     * if the server closed, or {@code <silent>} if it did neither.
     */
    List<String> unsolicited() {
        List<String> lines = new ArrayList<>();
        try {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
            lines.add("<end of stream>");
        } catch (SocketTimeoutException e) {
            lines.add("<silent>");
        } catch (IOException e) {
            lines.add("<end of stream>");
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        plain.close();
    }
}
