package org.jamesproxy.bench;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
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
 * The POP3 benchmark (run it, don't assert on it). Against one in-process James, RETR N messages of S bytes with
 * javax.mail over POP3S (a) straight from James, (b) through the proxy with TLS on both legs and no proxy action,
 * (c) through the proxy with the header-strip action; MB/s and the ratios (b)/(a), (c)/(a).
 * Properties: bench.messages (500), bench.messageSize (102400), bench.rounds (3).
 */
public final class Pop3ProxyBenchmark {
    private static final int MESSAGES = Integer.getInteger("bench.messages", 500);
    private static final int MESSAGE_SIZE = Integer.getInteger("bench.messageSize", 100 * 1024);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    public static void main(String[] args) throws Exception {
        ProxiedJames james = new ProxiedJames();
        int relayPlain = FreePorts.next();
        int relayTls = FreePorts.next();
        int stripPlain = FreePorts.next();
        int stripTls = FreePorts.next();
        Path root = Files.createTempDirectory("pop3-proxy-bench");
        JamesHome home = james.pop3Home(root).consoleLogLevel("WARN").write();
        james.writePop3ProxyXml(home,
            "<action name=\"Strip\"><mailet match=\"All\" class=\"org.jamesproxy.mailet.StripHeaders\">"
                + "<patterns>^X-Internal-</patterns></mailet></action>",
            james.pop3ProxyToJames(home, "bench-relay", relayPlain, relayTls, ""),
            james.pop3ProxyToJames(home, "bench-strip", stripPlain, stripTls, "<proxyAction>Strip</proxyAction>"));
        GuiceJamesServer server = MemoryJamesServerMain.createServer(home.memoryConfiguration());
        server.start();
        try {
            server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            SSLContext trust = james.clientSslContext();
            System.out.printf("Provisioning %d messages of %d bytes...%n", MESSAGES, MESSAGE_SIZE);
            provision(MailClients.imaps("localhost", james.jamesImaps, trust));

            // Warm-up: JIT, TLS session caches, James's mailbox caches.
            retrieveAll(MailClients.pop3s("localhost", james.jamesPop3s, trust), Math.min(MESSAGES, 100));
            retrieveAll(MailClients.pop3s("localhost", relayTls, trust), Math.min(MESSAGES, 100));
            retrieveAll(MailClients.pop3s("localhost", stripTls, trust), Math.min(MESSAGES, 100));

            double[] direct = new double[ROUNDS];
            double[] relay = new double[ROUNDS];
            double[] strip = new double[ROUNDS];
            double[] directCpu = new double[ROUNDS];
            double[] relayCpu = new double[ROUNDS];
            double[] stripCpu = new double[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                long cpu = processCpuNanos();
                direct[round] = retrieveAll(MailClients.pop3s("localhost", james.jamesPop3s, trust), MESSAGES);
                directCpu[round] = cpuMillisPerMb(cpu);
                cpu = processCpuNanos();
                relay[round] = retrieveAll(MailClients.pop3s("localhost", relayTls, trust), MESSAGES);
                relayCpu[round] = cpuMillisPerMb(cpu);
                cpu = processCpuNanos();
                strip[round] = retrieveAll(MailClients.pop3s("localhost", stripTls, trust), MESSAGES);
                stripCpu[round] = cpuMillisPerMb(cpu);
                System.out.printf("round %d: direct %.1f MB/s, proxy %.1f MB/s, proxy+strip %.1f MB/s%n",
                    round + 1, direct[round], relay[round], strip[round]);
            }
            double a = median(direct);
            double b = median(relay);
            double c = median(strip);
            System.out.println();
            System.out.printf("RETR %d x %d B (median of %d rounds)%n", MESSAGES, MESSAGE_SIZE, ROUNDS);
            System.out.printf("  (a) direct POP3S            %8.1f MB/s%n", a);
            System.out.printf("  (b) proxy, TLS both legs    %8.1f MB/s   (b)/(a) = %.2f  (target >= 0.9)%n", b, b / a);
            System.out.printf("  (c) proxy + header strip    %8.1f MB/s   (c)/(a) = %.2f  (target >= 0.7)%n", c, c / a);
            System.out.printf("CPU of the whole process (client + proxy + James) per MB retrieved, median:%n");
            System.out.printf("  (a) %.1f ms/MB   (b) %.1f ms/MB   (c) %.1f ms/MB%n",
                median(directCpu), median(relayCpu), median(stripCpu));
        } finally {
            server.stop();
            MoreFiles.deleteRecursively(root, RecursiveDeleteOption.ALLOW_INSECURE);
        }
        // James leaves non-daemon threads behind; a benchmark run ends when its figures are printed.
        System.exit(0);
    }

    private static void provision(Session session) throws Exception {
        Random random = new Random(42);
        try (Store store = session.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                batch.add(message(session, i, random));
                if (batch.size() == 50) {
                    inbox.appendMessages(batch.toArray(Message[]::new));
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                inbox.appendMessages(batch.toArray(Message[]::new));
            }
            inbox.close(false);
        }
    }

    private static MimeMessage message(Session session, int index, Random random) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("bob@demo.local"));
        message.setRecipients(Message.RecipientType.TO, ProxiedJames.ALICE);
        message.setSubject("benchmark message " + index);
        message.setHeader("X-Internal-Route", "relay-" + index);
        StringBuilder body = new StringBuilder(MESSAGE_SIZE);
        while (body.length() < MESSAGE_SIZE - 600) {
            // Some lines start with a dot, so that de-stuffing and re-stuffing are part of what is measured.
            body.append(random.nextInt(20) == 0 ? "." : "");
            for (int i = 0; i < 76; i++) {
                body.append((char) ('a' + random.nextInt(26)));
            }
            body.append("\r\n");
        }
        message.setText(body.toString());
        message.saveChanges();
        return message;
    }

    /** @return MB/s of message bytes read by the client (each message retrieved once with RETR) */
    private static double retrieveAll(Session session, int count) throws Exception {
        long start = System.nanoTime();
        long bytes = 0;
        try (Store store = session.getStore("pop3s")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            for (int number = 1; number <= count; number++) {
                CountingOutputStream out = new CountingOutputStream();
                inbox.getMessage(number).writeTo(out);
                bytes += out.count;
            }
            inbox.close(false);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return bytes / 1e6 / seconds;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double cpuMillisPerMb(long cpuBefore) {
        double megabytes = (double) MESSAGES * MESSAGE_SIZE / 1e6;
        return (processCpuNanos() - cpuBefore) / 1e6 / megabytes;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static final class CountingOutputStream extends OutputStream {
        private long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
