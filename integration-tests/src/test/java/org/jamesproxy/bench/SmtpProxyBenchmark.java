package org.jamesproxy.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;
import javax.net.ssl.SSLContext;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.utils.DataProbeImpl;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;

/**
 * SMTP benchmark (run it, don't assert on it): C concurrent javax.mail clients, each on one connection with
 * STARTTLS, submit N messages of S bytes (a) straight to James's SMTP, (b) through the SMTP proxy with the
 * header-strip action, STARTTLS on both legs (verified toward James). Prints messages/s and (b)/(a).
 * A message counts when the client got its 250, which through the proxy is James's own 250 to the final dot.
 * Properties: bench.smtpClients (8), bench.smtpMessages per client (250), bench.smtpMessageSize (20480),
 * bench.rounds (3).
 */
public final class SmtpProxyBenchmark {
    private static final int CLIENTS = Integer.getInteger("bench.smtpClients", 8);
    private static final int MESSAGES = Integer.getInteger("bench.smtpMessages", 250);
    private static final int MESSAGE_SIZE = Integer.getInteger("bench.smtpMessageSize", 20 * 1024);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    public static void main(String[] args) throws Exception {
        ProxiedJames james = new ProxiedJames();
        int proxyPort = FreePorts.next();
        int proxyTlsPort = FreePorts.next();
        Path root = Files.createTempDirectory("smtp-proxy-bench");
        JamesHome home = james.home(root).consoleLogLevel("WARN").pluginEnabled(true).write();
        james.writeCaPem(home.confDirectory());
        Files.writeString(home.mailProxyXml(), "<mailproxy>\n"
            + "  <proxyActions><action name=\"Strip\"><mailet match=\"All\" class=\"org.jamesproxy.mailet.StripHeaders\">"
            + "<patterns>^X-Internal-</patterns></mailet></action></proxyActions>\n"
            + "  <smtpproxy><name>bench-strip</name>"
            + "<bind>127.0.0.1:" + proxyPort + "</bind><tlsBind>127.0.0.1:" + proxyTlsPort + "</tlsBind>"
            + "<tls><keystore>file://conf/keystore</keystore><keystoreType>PKCS12</keystoreType><secret>"
            + home.keystoreSecret() + "</secret></tls>"
            + "<upstream><host>localhost</host><port>" + james.jamesSmtp + "</port><tls>starttls</tls>"
            + "<trustStore>file://conf/ca.pem</trustStore></upstream>"
            + "<proxyAction>Strip</proxyAction></smtpproxy>\n"
            + "</mailproxy>\n", UTF_8);
        GuiceJamesServer server = MemoryJamesServerMain.createServer(home.memoryConfiguration());
        server.start();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            SSLContext trust = james.clientSslContext();
            Session direct = MailClients.smtpStartTls("localhost", james.jamesSmtp, trust);
            Session proxied = MailClients.smtpStartTls("localhost", proxyPort, trust);
            MimeMessage message = message(direct);

            // Warm-up: JIT, TLS session machinery, James's spool.
            send(clients, direct, message, Math.min(MESSAGES, 20));
            send(clients, proxied, message, Math.min(MESSAGES, 20));

            double[] a = new double[ROUNDS];
            double[] b = new double[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                a[round] = send(clients, direct, message, MESSAGES);
                b[round] = send(clients, proxied, message, MESSAGES);
                System.out.printf("round %d: direct %.1f msg/s, proxy+strip %.1f msg/s%n", round + 1, a[round], b[round]);
            }
            double directRate = median(a);
            double proxyRate = median(b);
            System.out.println();
            System.out.printf("SMTP %d clients x %d messages x %d B, STARTTLS (median of %d rounds)%n",
                CLIENTS, MESSAGES, MESSAGE_SIZE, ROUNDS);
            System.out.printf("  (a) direct to James            %8.1f msg/s%n", directRate);
            System.out.printf("  (b) proxy + header strip       %8.1f msg/s   (b)/(a) = %.2f  (target >= 0.7)%n",
                proxyRate, proxyRate / directRate);
        } finally {
            clients.shutdownNow();
            server.stop();
            MoreFiles.deleteRecursively(root, RecursiveDeleteOption.ALLOW_INSECURE);
        }
        // James leaves non-daemon threads behind; a benchmark run ends when its figures are printed.
        System.exit(0);
    }

    private static MimeMessage message(Session session) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("bob@demo.local"));
        message.setRecipients(Message.RecipientType.TO, ProxiedJames.ALICE);
        message.setSubject("benchmark");
        message.setHeader("X-Internal-Route", "bench");
        StringBuilder body = new StringBuilder(MESSAGE_SIZE);
        Random random = new Random(42);
        while (body.length() < MESSAGE_SIZE) {
            for (int i = 0; i < 76; i++) {
                body.append((char) ('a' + random.nextInt(26)));
            }
            body.append("\r\n");
        }
        message.setText(body.toString());
        message.saveChanges();
        return message;
    }

    /** @return messages per second over all clients */
    private static double send(ExecutorService pool, Session session, MimeMessage message, int perClient) throws Exception {
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int client = 0; client < CLIENTS; client++) {
            futures.add(pool.submit(() -> {
                try (Transport transport = session.getTransport("smtp")) {
                    transport.connect();
                    for (int i = 0; i < perClient; i++) {
                        transport.sendMessage(message, message.getAllRecipients());
                    }
                }
                return null;
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return CLIENTS * perClient / seconds;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
