package org.jamesproxy.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import javax.mail.FetchProfile;
import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.utils.DataProbeImpl;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.demo.ProxyAction;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import com.sun.mail.imap.IMAPFolder;

/**
 * The spine's benchmark (run it, don't assert on it). In one run, against one in-process James:
 * <ol>
 *   <li>fetch N messages of S bytes with javax.mail over IMAPS (a) straight from James, (b) through the proxy
 *   with TLS on both legs and no proxy action, (c) through the proxy with the header-strip action; MB/s and the
 *   ratios (b)/(a), (c)/(a);</li>
 *   <li>heap per idle TLS session: K clients in IDLE straight to James, then K through the proxy; the proxy's
 *   cost is the difference divided by K.</li>
 * </ol>
 * Properties: bench.messages (2000), bench.messageSize (102400), bench.rounds (5), bench.idleSessions (2000).
 */
public final class ImapProxyBenchmark {
    private static final int MESSAGES = Integer.getInteger("bench.messages", 2000);
    private static final int MESSAGE_SIZE = Integer.getInteger("bench.messageSize", 100 * 1024);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int IDLE_SESSIONS = Integer.getInteger("bench.idleSessions", 2000);
    private static final int FETCH_BATCH = 100;

    public static void main(String[] args) throws Exception {
        ProxiedJames james = new ProxiedJames();
        int plainPort = FreePorts.next();
        int plainTlsPort = FreePorts.next();
        int stripPort = FreePorts.next();
        int stripTlsPort = FreePorts.next();
        Path root = Files.createTempDirectory("imap-proxy-bench");
        JamesHome home = james.home(root)
            .consoleLogLevel("WARN")
            .proxy(james.proxyToJames("bench-relay", plainPort, plainTlsPort).build())
            .proxy(james.proxyToJames("bench-strip", stripPort, stripTlsPort)
                .proxyAction(ProxyAction.of("Strip",
                    "<mailet match=\"All\" class=\"org.jamesproxy.mailet.StripHeaders\"><patterns>^X-Internal-</patterns></mailet>"))
                .build())
            .write();
        GuiceJamesServer server = MemoryJamesServerMain.createServer(home.memoryConfiguration());
        server.start();
        try {
            server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            SSLContext trust = james.clientSslContext();
            System.out.printf("Provisioning %d messages of %d bytes...%n", MESSAGES, MESSAGE_SIZE);
            provision(MailClients.imaps("localhost", james.jamesImaps, trust));

            // One full warm-up pass per path, so that no path is measured before the JIT and the mailbox are warm.
            fetchAll(MailClients.imaps("localhost", james.jamesImaps, trust), MESSAGES);
            fetchAll(MailClients.imaps("localhost", plainTlsPort, trust), MESSAGES);
            fetchAll(MailClients.imaps("localhost", stripTlsPort, trust), MESSAGES);

            double[] direct = new double[ROUNDS];
            double[] relay = new double[ROUNDS];
            double[] strip = new double[ROUNDS];
            double[] directCpu = new double[ROUNDS];
            double[] relayCpu = new double[ROUNDS];
            double[] stripCpu = new double[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                long cpu = processCpuNanos();
                direct[round] = fetchAll(MailClients.imaps("localhost", james.jamesImaps, trust), MESSAGES);
                directCpu[round] = cpuMillisPerMb(cpu);
                cpu = processCpuNanos();
                relay[round] = fetchAll(MailClients.imaps("localhost", plainTlsPort, trust), MESSAGES);
                relayCpu[round] = cpuMillisPerMb(cpu);
                cpu = processCpuNanos();
                strip[round] = fetchAll(MailClients.imaps("localhost", stripTlsPort, trust), MESSAGES);
                stripCpu[round] = cpuMillisPerMb(cpu);
                System.out.printf("round %d: direct %.1f MB/s, proxy %.1f MB/s, proxy+strip %.1f MB/s%n",
                    round + 1, direct[round], relay[round], strip[round]);
            }
            double a = median(direct);
            double b = median(relay);
            double c = median(strip);
            System.out.println();
            System.out.printf("FETCH %d x %d B (median of %d rounds)%n", MESSAGES, MESSAGE_SIZE, ROUNDS);
            System.out.printf("  (a) direct IMAPS            %8.1f MB/s%n", a);
            System.out.printf("  (b) proxy, TLS both legs    %8.1f MB/s   (b)/(a) = %.2f  (target >= 0.9)%n", b, b / a);
            System.out.printf("  (c) proxy + header strip    %8.1f MB/s   (c)/(a) = %.2f  (target >= 0.7)%n", c, c / a);
            System.out.printf("CPU of the whole process (client + proxy + James) per MB fetched, median:%n");
            System.out.printf("  (a) %.1f ms/MB   (b) %.1f ms/MB   (c) %.1f ms/MB   -> the proxy's own cost: %.1f ms/MB relaying, %.1f ms/MB with the action%n",
                median(directCpu), median(relayCpu), median(stripCpu), median(relayCpu) - median(directCpu),
                median(stripCpu) - median(directCpu));
            System.out.printf("  (%d cores: when they are saturated, (b)/(a) tends to (a)'s CPU per MB / (b)'s CPU per MB = %.2f)%n",
                Runtime.getRuntime().availableProcessors(), median(directCpu) / median(relayCpu));

            long direct0 = usedHeapAfterGc();
            List<SSLSocket> directSessions = openIdleSessions(trust, james.jamesImaps, IDLE_SESSIONS);
            long directHeap = usedHeapAfterGc() - direct0;
            closeAll(directSessions);
            long proxy0 = usedHeapAfterGc();
            List<SSLSocket> proxiedSessions = openIdleSessions(trust, plainTlsPort, IDLE_SESSIONS);
            long proxiedHeap = usedHeapAfterGc() - proxy0;
            closeAll(proxiedSessions);
            System.out.println();
            System.out.printf("IDLE sessions: %d%n", IDLE_SESSIONS);
            System.out.printf("  heap, direct (client + James)          %8.1f KB/session%n", directHeap / 1024.0 / IDLE_SESSIONS);
            System.out.printf("  heap, proxied (client + proxy + James) %8.1f KB/session%n", proxiedHeap / 1024.0 / IDLE_SESSIONS);
            System.out.printf("  proxy's own heap                       %8.1f KB/session   (target <= 50 KB)%n",
                (proxiedHeap - directHeap) / 1024.0 / IDLE_SESSIONS);
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
            for (int i = 0; i < 76; i++) {
                body.append((char) ('a' + random.nextInt(26)));
            }
            body.append("\r\n");
        }
        message.setText(body.toString());
        message.saveChanges();
        return message;
    }

    /** @return MB/s of message bytes read by the client */
    private static double fetchAll(Session session, int count) throws Exception {
        long start = System.nanoTime();
        long bytes = 0;
        try (Store store = session.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            for (int first = 1; first <= count; first += FETCH_BATCH) {
                Message[] messages = inbox.getMessages(first, Math.min(count, first + FETCH_BATCH - 1));
                FetchProfile profile = new FetchProfile();
                profile.add(IMAPFolder.FetchProfileItem.MESSAGE);
                inbox.fetch(messages, profile);
                for (Message message : messages) {
                    CountingOutputStream out = new CountingOutputStream();
                    message.writeTo(out);
                    bytes += out.count;
                }
            }
            inbox.close(false);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return bytes / 1e6 / seconds;
    }

    private static List<SSLSocket> openIdleSessions(SSLContext trust, int port, int count) throws IOException {
        List<SSLSocket> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("localhost", port);
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII));
            OutputStream out = socket.getOutputStream();
            expect(in, "* OK");
            command(out, "a LOGIN " + ProxiedJames.ALICE + " " + ProxiedJames.PASSWORD);
            expect(in, "a OK");
            command(out, "b SELECT INBOX");
            expect(in, "b OK");
            command(out, "c IDLE");
            expect(in, "+");
            sockets.add(socket);
        }
        return sockets;
    }

    private static void command(OutputStream out, String command) throws IOException {
        out.write((command + "\r\n").getBytes(US_ASCII));
        out.flush();
    }

    private static void expect(BufferedReader in, String prefix) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return;
            }
            if (line.matches("^[a-c] (NO|BAD).*")) {
                throw new IOException("unexpected: " + line);
            }
        }
        throw new IOException("connection closed while waiting for " + prefix);
    }

    private static void closeAll(List<SSLSocket> sockets) {
        sockets.forEach(socket -> {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        });
    }

    /** Collects until the used heap stops moving (two readings within 1 MB), so the figure is live data only. */
    private static long usedHeapAfterGc() {
        long previous = Long.MAX_VALUE;
        long used = usedHeap();
        for (int i = 0; i < 10 && Math.abs(previous - used) > 1024 * 1024; i++) {
            System.gc();
            previous = used;
            used = usedHeap();
        }
        return used;
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
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
