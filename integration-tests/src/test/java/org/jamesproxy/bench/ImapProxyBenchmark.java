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
import java.util.concurrent.Callable;

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
 * <li>inspected views (issue 11), TLS on both legs, the same mailbox plus L large messages: (a) straight from James,
 *   (d) through the proxy with the shipped standard action (IMAP-Server.Standard), each for a whole-message fetch
 *   (javax.mail, FetchProfile MESSAGE) and a Thunderbird-shaped chunked download ({@code UID FETCH n (UID RFC822.SIZE
 *   BODY.PEEK[]<o.65536>)} until a short chunk); MB/s, the ratios, and the proxy's counters per message (private
 *   upstream fetches, inspections, cache hits; each round is a new session, so the user's views start cold), and
 *   (e) the same action inspected inline as before views ({@code partialFetch pass}), the whole-message baseline.
 *   Each phase starts on a collected heap and the phases' order turns by one each round; the process CPU per MB
 *   and the median of each round's own ratios are printed too (the machine's noise moves single rounds a lot).</li>
 * Properties: bench.messages (2000), bench.messageSize (102400), bench.rounds (5), bench.idleSessions (2000),
 * bench.largeMessages (2; the figure is 20), bench.largeSize (10 MB), bench.chunk (65536),
 * bench.viewRounds (3), bench.standardXml (extra policy XML for (d), e.g. {@code <inspection><viewCache>...}).
 */
public final class ImapProxyBenchmark {
    private static final int MESSAGES = Integer.getInteger("bench.messages", 2000);
    private static final int MESSAGE_SIZE = Integer.getInteger("bench.messageSize", 100 * 1024);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int IDLE_SESSIONS = Integer.getInteger("bench.idleSessions", 2000);
    private static final int FETCH_BATCH = 100;
    private static final boolean WHOLE_ONLY = "whole".equals(System.getProperty("bench.viewPhases"));
    private static final int LARGE_MESSAGES = Integer.getInteger("bench.largeMessages", 2);
    private static final int LARGE_SIZE = Integer.getInteger("bench.largeSize", 10 * 1024 * 1024);
    private static final int CHUNK = Integer.getInteger("bench.chunk", 65536);
    private static final int VIEW_ROUNDS = Integer.getInteger("bench.viewRounds", 3);

    /** Reads the proxy's counters from James's MetricFactory. */
    public static final class Counters implements org.apache.james.utils.GuiceProbe {
        private final org.apache.james.metrics.api.MetricFactory metrics;

        @javax.inject.Inject
        public Counters(org.apache.james.metrics.api.MetricFactory metrics) {
            this.metrics = metrics;
        }

        long count(String name) {
            return metrics.generate(name).getCount();
        }
    }

    public static void main(String[] args) throws Exception {
        ProxiedJames james = new ProxiedJames();
        int plainPort = FreePorts.next();
        int plainTlsPort = FreePorts.next();
        int stripPort = FreePorts.next();
        int stripTlsPort = FreePorts.next();
        int standardPort = FreePorts.next();
        int standardTlsPort = FreePorts.next();
        int inlinePort = FreePorts.next();
        int inlineTlsPort = FreePorts.next();
        Path root = Files.createTempDirectory("imap-proxy-bench");
        JamesHome home = james.home(root)
            .consoleLogLevel("WARN")
            .proxy(james.proxyToJames("bench-relay", plainPort, plainTlsPort).build())
            .proxy(james.proxyToJames("bench-strip", stripPort, stripTlsPort)
                .proxyAction(ProxyAction.of("Strip",
                    "<mailet match=\"All\" class=\"org.jamesproxy.mailet.StripHeaders\"><patterns>^X-Internal-</patterns></mailet>"))
                .build())
            .proxy(james.proxyToJames("bench-standard", standardPort, standardTlsPort)
                .proxyAction(ProxyAction.of("Standard", BenchSupport.predefined("IMAP-Server.Standard")))
                .extraXml(System.getProperty("bench.standardXml", ""))
                .build())
            // The same action on the path every whole-message FETCH took before inspected views: inspected inline.
            .proxy(james.proxyToJames("bench-standard-inline", inlinePort, inlineTlsPort)
                .proxyAction(ProxyAction.of("StandardInline", BenchSupport.predefined("IMAP-Server.Standard")))
                .extraXml("<inspection><partialFetch>pass</partialFetch></inspection>")
                .build())
            .write();
        GuiceJamesServer server = MemoryJamesServerMain.createServer(home.memoryConfiguration())
            .overrideWith(binder -> com.google.inject.multibindings.Multibinder
                .newSetBinder(binder, org.apache.james.utils.GuiceProbe.class).addBinding().to(Counters.class));
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

            views(server.getProbe(Counters.class), james, trust, standardTlsPort, inlineTlsPort);

            long direct0 = BenchSupport.usedHeapAfterGc();
            List<SSLSocket> directSessions = openIdleSessions(trust, james.jamesImaps, IDLE_SESSIONS);
            long directHeap = BenchSupport.usedHeapAfterGc() - direct0;
            closeAll(directSessions);
            long proxy0 = BenchSupport.usedHeapAfterGc();
            List<SSLSocket> proxiedSessions = openIdleSessions(trust, plainTlsPort, IDLE_SESSIONS);
            long proxiedHeap = BenchSupport.usedHeapAfterGc() - proxy0;
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

    /** Inspected views: direct vs the standard action, whole-message and chunked, with the proxy's counters. */
    private static void views(Counters counters, ProxiedJames james, SSLContext trust, int proxyPort, int inlinePort)
        throws Exception {
        System.out.printf("%nProvisioning %d large messages of %d bytes...%n", LARGE_MESSAGES, LARGE_SIZE);
        provisionLarge(MailClients.imaps("localhost", james.jamesImaps, trust));
        int total = MESSAGES + LARGE_MESSAGES;
        // Warm-up of both paths and both shapes.
        chunkedAll(trust, james.jamesImaps, total);
        chunkedAll(trust, proxyPort, total);
        fetchAll(MailClients.imaps("localhost", proxyPort, trust), total);
        fetchAll(MailClients.imaps("localhost", inlinePort, trust), total);
        double[] wholeInline = new double[VIEW_ROUNDS];
        double[] wholeDirect = new double[VIEW_ROUNDS];
        double[] wholeProxy = new double[VIEW_ROUNDS];
        double[] chunkDirect = new double[VIEW_ROUNDS];
        double[] chunkProxy = new double[VIEW_ROUNDS];
        double[] wholeDirectCpu = new double[VIEW_ROUNDS];
        double[] wholeProxyCpu = new double[VIEW_ROUNDS];
        double[] wholeInlineCpu = new double[VIEW_ROUNDS];
        double[] chunkDirectCpu = new double[VIEW_ROUNDS];
        double[] chunkProxyCpu = new double[VIEW_ROUNDS];
        double megabytes = ((double) MESSAGES * MESSAGE_SIZE + (double) LARGE_MESSAGES * LARGE_SIZE) / 1e6;
        String[] names = {"imapproxy-view-upstream-fetches", "imapproxy-fetch-inspected", "imapproxy-view-cache-hits"};
        long[] wholeCounts = new long[names.length];
        long[] chunkCounts = new long[names.length];
        // The five phases of a round, each a fetch of every message; their order turns by one each round, so that no
        // phase always follows the same one (client, proxy and James share this JVM and its garbage collector).
        List<Callable<Void>> phases = new ArrayList<>();
        int[] at = new int[1];
        phases.add(() -> {
            long cpu = processCpuNanos();
            wholeDirect[at[0]] = fetchAll(MailClients.imaps("localhost", james.jamesImaps, trust), total);
            wholeDirectCpu[at[0]] = (processCpuNanos() - cpu) / 1e6 / megabytes;
            return null;
        });
        phases.add(() -> {
            long[] before = counts(counters, names);
            long cpu = processCpuNanos();
            wholeProxy[at[0]] = fetchAll(MailClients.imaps("localhost", proxyPort, trust), total);
            wholeProxyCpu[at[0]] = (processCpuNanos() - cpu) / 1e6 / megabytes;
            add(wholeCounts, before, counts(counters, names));
            return null;
        });
        phases.add(() -> {
            long cpu = processCpuNanos();
            wholeInline[at[0]] = fetchAll(MailClients.imaps("localhost", inlinePort, trust), total);
            wholeInlineCpu[at[0]] = (processCpuNanos() - cpu) / 1e6 / megabytes;
            return null;
        });
        phases.add(() -> {
            long cpu = processCpuNanos();
            chunkDirect[at[0]] = chunkedAll(trust, james.jamesImaps, total);
            chunkDirectCpu[at[0]] = (processCpuNanos() - cpu) / 1e6 / megabytes;
            return null;
        });
        phases.add(() -> {
            long[] before = counts(counters, names);
            long cpu = processCpuNanos();
            chunkProxy[at[0]] = chunkedAll(trust, proxyPort, total);
            chunkProxyCpu[at[0]] = (processCpuNanos() - cpu) / 1e6 / megabytes;
            add(chunkCounts, before, counts(counters, names));
            return null;
        });
        if (WHOLE_ONLY) {
            // For profiling the whole-message paths alone: the chunked phases are left out (their figures print as 0).
            phases.subList(3, 5).clear();
        }
        for (int round = 0; round < VIEW_ROUNDS; round++) {
            at[0] = round;
            for (int i = 0; i < phases.size(); i++) {
                // Each timed phase starts on a collected heap: the garbage of one phase (10 MB arrays) would otherwise
                // be collected during the next one.
                BenchSupport.usedHeapAfterGc();
                phases.get((round + i) % phases.size()).call();
            }
            System.out.printf("views round %d: whole direct %.1f MB/s, whole proxy %.1f MB/s, whole inline %.1f MB/s, "
                + "chunked direct %.1f MB/s, chunked proxy %.1f MB/s   (d)/(e) %.2f  chunked (d)/(a) %.2f%n", round + 1,
                wholeDirect[round], wholeProxy[round], wholeInline[round], chunkDirect[round], chunkProxy[round],
                wholeProxy[round] / wholeInline[round], chunkProxy[round] / chunkDirect[round]);
        }
        double[] wholeRatios = new double[VIEW_ROUNDS];
        double[] chunkRatios = new double[VIEW_ROUNDS];
        for (int round = 0; round < VIEW_ROUNDS; round++) {
            wholeRatios[round] = wholeProxy[round] / wholeInline[round];
            chunkRatios[round] = chunkProxy[round] / chunkDirect[round];
        }
        double perMessage = (double) VIEW_ROUNDS * total;
        System.out.println();
        System.out.printf("INSPECTED VIEWS: %d x %d B + %d x %d B, standard action, TLS both legs (median of %d rounds)%n",
            MESSAGES, MESSAGE_SIZE, LARGE_MESSAGES, LARGE_SIZE, VIEW_ROUNDS);
        System.out.printf("  whole message: (a) %8.1f MB/s  (d) %8.1f MB/s  (d)/(a) = %.2f%n", median(wholeDirect),
            median(wholeProxy), median(wholeProxy) / median(wholeDirect));
        System.out.printf("  whole message, (e) the same action inspected inline as before views (partialFetch pass): "
            + "%8.1f MB/s  (e)/(a) = %.2f  (d)/(e) = %.2f  (target: (d) no worse than (e))%n", median(wholeInline),
            median(wholeInline) / median(wholeDirect), median(wholeProxy) / median(wholeInline));
        System.out.printf("  CPU of the whole process per MB, whole message: (a) %.1f ms/MB  (d) %.1f ms/MB  (e) %.1f ms/MB%n",
            median(wholeDirectCpu), median(wholeProxyCpu), median(wholeInlineCpu));
        System.out.printf("  %d B chunks:   (a) %8.1f MB/s  (d) %8.1f MB/s  (d)/(a) = %.2f  (target >= 0.7)%n", CHUNK,
            median(chunkDirect), median(chunkProxy), median(chunkProxy) / median(chunkDirect));
        System.out.printf("  CPU of the whole process per MB, chunks: (a) %.1f ms/MB  (d) %.1f ms/MB%n",
            median(chunkDirectCpu), median(chunkProxyCpu));
        System.out.printf("  median of the rounds' own ratios: whole (d)/(e) = %.2f, chunked (d)/(a) = %.2f%n",
            median(wholeRatios), median(chunkRatios));
        System.out.printf("  per message, whole:   %.2f upstream fetches, %.2f inspections, %.2f cache hits%n",
            wholeCounts[0] / perMessage, wholeCounts[1] / perMessage, wholeCounts[2] / perMessage);
        System.out.printf("  per message, chunked: %.2f upstream fetches, %.2f inspections, %.2f cache hits (target: 1 and 1)%n",
            chunkCounts[0] / perMessage, chunkCounts[1] / perMessage, chunkCounts[2] / perMessage);
    }

    private static long[] counts(Counters counters, String[] names) {
        long[] values = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            values[i] = counters.count(names[i]);
        }
        return values;
    }

    private static void add(long[] sums, long[] before, long[] after) {
        for (int i = 0; i < sums.length; i++) {
            sums[i] += after[i] - before[i];
        }
    }

    private static void provisionLarge(Session session) throws Exception {
        Random random = new Random(7);
        try (Store store = session.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            for (int i = 0; i < LARGE_MESSAGES; i++) {
                MimeMessage message = new MimeMessage(session);
                message.setFrom(new InternetAddress("bob@demo.local"));
                message.setRecipients(Message.RecipientType.TO, ProxiedJames.ALICE);
                message.setSubject("large benchmark message " + i);
                StringBuilder body = new StringBuilder(LARGE_SIZE);
                while (body.length() < LARGE_SIZE - 600) {
                    for (int c = 0; c < 76; c++) {
                        body.append((char) ('a' + random.nextInt(26)));
                    }
                    body.append("\r\n");
                }
                message.setText(body.toString());
                message.saveChanges();
                inbox.appendMessages(new Message[] {message});
            }
            inbox.close(false);
        }
    }

    /** Thunderbird's fetch_by_chunks over every message, UID 1..count: MB/s of message bytes received. */
    private static double chunkedAll(SSLContext trust, int port, int count) throws Exception {
        long start = System.nanoTime();
        long bytes = 0;
        try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("localhost", port)) {
            socket.setSoTimeout(120_000);
            java.io.BufferedInputStream in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
            OutputStream out = socket.getOutputStream();
            readUntil(in, "* OK");
            command(out, "a LOGIN " + ProxiedJames.ALICE + " " + ProxiedJames.PASSWORD);
            readUntil(in, "a OK");
            command(out, "b EXAMINE INBOX");
            readUntil(in, "b OK");
            for (int uid = 1; uid <= count; uid++) {
                for (long origin = 0; ; origin += CHUNK) {
                    command(out, "c UID FETCH " + uid + " (UID RFC822.SIZE BODY.PEEK[]<" + origin + "." + CHUNK + ">)");
                    long received = readChunk(in);
                    bytes += received;
                    if (received < CHUNK) {
                        break;
                    }
                }
            }
            command(out, "z LOGOUT");
            readUntil(in, "z OK");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return bytes / 1e6 / seconds;
    }

    /** Reads one chunk's responses up to "c OK": @return the literal's size (its bytes are skipped) */
    private static long readChunk(java.io.InputStream in) throws IOException {
        long size = -1;
        while (true) {
            String line = readAsciiLine(in);
            java.util.regex.Matcher literal = java.util.regex.Pattern.compile("\\{(\\d+)}$").matcher(line);
            if (literal.find()) {
                long n = Long.parseLong(literal.group(1));
                size = Math.max(size, 0) + n;
                in.skipNBytes(n);
                readAsciiLine(in);
            } else if (line.startsWith("c OK")) {
                return Math.max(size, 0);
            } else if (line.startsWith("c ")) {
                throw new IOException("unexpected: " + line);
            }
        }
    }

    private static void readUntil(java.io.InputStream in, String prefix) throws IOException {
        BenchSupport.readUntil(in, prefix);
    }

    private static String readAsciiLine(java.io.InputStream in) throws IOException {
        return BenchSupport.readAsciiLine(in);
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
