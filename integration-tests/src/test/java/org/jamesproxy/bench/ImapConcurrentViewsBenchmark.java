package org.jamesproxy.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

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

/**
 * Issue 11 point 5 (run it, don't assert on it): memory stays bounded when many clients chunk-download large
 * messages at once through the inspecting IMAP proxy. One in-process James, L large messages plus S small ones;
 * C clients at once, each on its own TLS connection, each doing a Thunderbird-shaped chunked download
 * ({@code UID FETCH n (UID RFC822.SIZE BODY.PEEK[]<o.65536>)} until a short chunk) of one large message (client i
 * takes message i mod L, so several clients share a message and the policy's view cache sees hits and misses) and
 * one small one. The same phase runs (a) straight against James and (b) through the proxy (standard action,
 * {@code partialFetch inspect}, a view cache of {@code bench.cacheMaxBytes}, views above 1 MB in memory up to
 * {@code bench.largeViewMemory}, the others in spill files). For each it
 * prints MB/s, the heap baseline (after GC), the peak of the used heap sampled during the phase, the peak of the heap
 * left after each collection (live data), the peak size of the spill directory, and for (b) the proxy's counters
 * per message download. Every client's bytes are checked (length and CRC32) against a single reference download
 * over the same path, done beforehand in its own session (whose logout drops the user's views: the phase starts cold).
 * Properties: bench.clients (200), bench.largeMessages (20), bench.largeSize (10 MB), bench.smallMessages (100),
 * bench.smallSize (100 KB), bench.chunk (65536), bench.cacheMaxBytes (64M), bench.largeViewMemory (16M).
 */
public final class ImapConcurrentViewsBenchmark {
    private static final int CLIENTS = Integer.getInteger("bench.clients", 200);
    private static final int LARGE_MESSAGES = Integer.getInteger("bench.largeMessages", 20);
    private static final int LARGE_SIZE = Integer.getInteger("bench.largeSize", 10 * 1024 * 1024);
    private static final int SMALL_MESSAGES = Integer.getInteger("bench.smallMessages", 100);
    private static final int SMALL_SIZE = Integer.getInteger("bench.smallSize", 100 * 1024);
    private static final int CHUNK = Integer.getInteger("bench.chunk", 65536);
    private static final String CACHE_MAX_BYTES = System.getProperty("bench.cacheMaxBytes", "64M");
    private static final String SPILL_ABOVE = "1M";
    /** Below the cache's bytes, so that large views are held both in memory and in spill files. */
    private static final String LARGE_VIEW_MEMORY = System.getProperty("bench.largeViewMemory", "16M");
    private static final int CACHE_MAX_ENTRIES = 10_000;
    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)}$");
    private static final Pattern SIZE = Pattern.compile("RFC822\\.SIZE (\\d+)");
    private static final String[] COUNTERS = {"imapproxy-view-upstream-fetches", "imapproxy-fetch-inspected",
        "imapproxy-view-cache-hits"};

    /** What one chunked download received. */
    private record Download(long bytes, long crc, long announcedSize) {
    }

    public static void main(String[] args) throws Exception {
        ProxiedJames james = new ProxiedJames();
        int plainPort = FreePorts.next();
        int tlsPort = FreePorts.next();
        Path root = Files.createTempDirectory("imap-views-bench");
        Path spill = root.resolve("spill");
        Files.createDirectories(spill);
        JamesHome home = james.home(root)
            .consoleLogLevel("WARN")
            .proxy(james.proxyToJames("bench-views", plainPort, tlsPort)
                .proxyAction(ProxyAction.of("Standard", BenchSupport.predefined("IMAP-Server.Standard")))
                .extraXml("<inspection><maxMessageSize>25M</maxMessageSize><partialFetch>inspect</partialFetch>"
                    + "<viewCache><maxEntries>" + CACHE_MAX_ENTRIES + "</maxEntries><maxBytes>" + CACHE_MAX_BYTES
                    + "</maxBytes><spillAbove>" + SPILL_ABOVE + "</spillAbove><largeViewMemory>" + LARGE_VIEW_MEMORY
                    + "</largeViewMemory><spillDirectory>" + spill
                    + "</spillDirectory></viewCache></inspection>")
                .build())
            .write();
        GuiceJamesServer server = MemoryJamesServerMain.createServer(home.memoryConfiguration())
            .overrideWith(binder -> com.google.inject.multibindings.Multibinder
                .newSetBinder(binder, org.apache.james.utils.GuiceProbe.class).addBinding()
                .to(ImapProxyBenchmark.Counters.class));
        server.start();
        int failures = 0;
        try {
            server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            SSLContext trust = james.clientSslContext();
            System.out.printf("Provisioning %d x %d B and %d x %d B...%n", LARGE_MESSAGES, LARGE_SIZE, SMALL_MESSAGES, SMALL_SIZE);
            provision(MailClients.imaps("localhost", james.jamesImaps, trust));
            int total = LARGE_MESSAGES + SMALL_MESSAGES;

            // One reference download per message and path, each in one session (also the JIT's warm-up).
            Map<Integer, Download> directReference = reference(trust, james.jamesImaps, total);
            Map<Integer, Download> proxyReference = reference(trust, tlsPort, total);
            long rawBytes = 0;
            long inspectedBytes = 0;
            for (int uid = 1; uid <= total; uid++) {
                rawBytes += directReference.get(uid).bytes;
                inspectedBytes += proxyReference.get(uid).bytes;
            }
            System.out.printf("Reference: %d messages, %.1f MB raw (direct), %.1f MB inspected (proxy)%n", total,
                rawBytes / 1e6, inspectedBytes / 1e6);

            ImapProxyBenchmark.Counters counters = server.getProbe(ImapProxyBenchmark.Counters.class);
            Phase direct = phase("(a) direct ", trust, james.jamesImaps, directReference, spill);
            long[] before = counts(counters);
            Phase proxied = phase("(b) proxy  ", trust, tlsPort, proxyReference, spill);
            long[] after = counts(counters);
            failures = direct.failures + proxied.failures;

            System.out.println();
            System.out.printf("CONCURRENT CHUNKED DOWNLOADS: %d clients at once, each 1 of %d x %d B + 1 of %d x %d B, "
                + "%d B chunks, TLS both legs%n", CLIENTS, LARGE_MESSAGES, LARGE_SIZE, SMALL_MESSAGES, SMALL_SIZE, CHUNK);
            System.out.printf("  proxy: IMAP-Server.Standard, partialFetch inspect, viewCache maxEntries %d, maxBytes %s, "
                + "spillAbove %s, largeViewMemory %s; JVM max heap %.0f MB, %d cores%n", CACHE_MAX_ENTRIES, CACHE_MAX_BYTES,
                SPILL_ABOVE, LARGE_VIEW_MEMORY,
                Runtime.getRuntime().maxMemory() / 1e6, Runtime.getRuntime().availableProcessors());
            direct.print();
            proxied.print();
            double directGrowth = direct.peakSampled - direct.baseline;
            double proxyGrowth = proxied.peakSampled - proxied.baseline;
            double directLive = direct.peakLive - direct.baseline;
            double proxyLive = proxied.peakLive - proxied.baseline;
            System.out.printf("  peak heap growth, proxy/direct: sampled %.2f (%.1f MB vs %.1f MB), live after GC %.2f "
                + "(%.1f MB vs %.1f MB)%n", proxyGrowth / directGrowth, proxyGrowth / 1e6, directGrowth / 1e6,
                proxyLive / directLive, proxyLive / 1e6, directLive / 1e6);
            System.out.printf("  proxy's extra live heap per client: %.2f MB (clients x large message would be %.0f MB)%n",
                (proxyLive - directLive) / 1e6 / CLIENTS, (double) CLIENTS * LARGE_SIZE / 1e6);
            double downloads = 2.0 * CLIENTS;
            System.out.printf("  proxy counters per message download (%d downloads of %d distinct messages): "
                + "%.2f upstream fetches, %.2f inspections, %.2f cache hits (totals %d, %d, %d)%n",
                (int) downloads, Math.min(CLIENTS, LARGE_MESSAGES) + Math.min(CLIENTS, SMALL_MESSAGES),
                (after[0] - before[0]) / downloads, (after[1] - before[1]) / downloads, (after[2] - before[2]) / downloads,
                after[0] - before[0], after[1] - before[1], after[2] - before[2]);
            System.out.printf("  verification: %s%n", failures == 0
                ? "every client received exactly its reference bytes (length and CRC32) on both paths"
                : failures + " downloads differ from their reference (see above)");
        } finally {
            server.stop();
            MoreFiles.deleteRecursively(root, RecursiveDeleteOption.ALLOW_INSECURE);
        }
        // James leaves non-daemon threads behind; a benchmark run ends when its figures are printed.
        System.exit(failures == 0 ? 0 : 1);
    }

    private static Map<Integer, Download> reference(SSLContext trust, int port, int total) throws Exception {
        Map<Integer, Download> downloads = new ConcurrentHashMap<>();
        try (Client client = new Client(trust, port)) {
            for (int uid = 1; uid <= total; uid++) {
                downloads.put(uid, client.chunked(uid));
            }
        }
        return downloads;
    }

    /** The figures of one concurrent phase. */
    private static final class Phase {
        final String name;
        long baseline;
        long peakSampled;
        long peakPools;
        long peakLive;
        long afterGc;
        long peakSpill;
        long bytes;
        double seconds;
        int failures;

        Phase(String name) {
            this.name = name;
        }

        void print() {
            System.out.printf("  %s %7.1f MB in %6.1f s = %7.1f MB/s | heap baseline %7.1f MB, peak sampled %7.1f MB "
                + "(+%.1f), pools' peaks %7.1f MB, peak live after GC %7.1f MB (+%.1f), after GC at end %7.1f MB | "
                + "spill dir peak %6.1f MB%n", name, bytes / 1e6, seconds, bytes / 1e6 / seconds, baseline / 1e6,
                peakSampled / 1e6, (peakSampled - baseline) / 1e6, peakPools / 1e6, peakLive / 1e6,
                (peakLive - baseline) / 1e6, afterGc / 1e6, peakSpill / 1e6);
        }
    }

    private static Phase phase(String name, SSLContext trust, int port, Map<Integer, Download> reference, Path spill)
        throws Exception {
        Phase phase = new Phase(name);
        phase.baseline = BenchSupport.usedHeapAfterGc();
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        pools.forEach(MemoryPoolMXBean::resetPeakUsage);
        AtomicLong peakSampled = new AtomicLong(BenchSupport.usedHeap());
        AtomicLong peakLive = new AtomicLong(phase.baseline);
        AtomicLong peakSpill = new AtomicLong(directorySize(spill));
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        java.util.concurrent.ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            peakSampled.accumulateAndGet(BenchSupport.usedHeap(), Math::max);
            peakLive.accumulateAndGet(liveAfterLastGc(), Math::max);
            peakSpill.accumulateAndGet(directorySize(spill), Math::max);
        }, 0, 50, TimeUnit.MILLISECONDS);
        CountDownLatch ready = new CountDownLatch(CLIENTS);
        CountDownLatch start = new CountDownLatch(1);
        AtomicLong bytes = new AtomicLong();
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            int[] uids = {1 + i % LARGE_MESSAGES, LARGE_MESSAGES + 1 + i % SMALL_MESSAGES};
            results.add(clients.submit(() -> {
                int bad = 0;
                Client connected;
                try {
                    connected = new Client(trust, port);
                } finally {
                    ready.countDown();
                }
                try (Client client = connected) {
                    start.await();
                    for (int uid : uids) {
                        Download got = client.chunked(uid);
                        bytes.addAndGet(got.bytes);
                        Download expected = reference.get(uid);
                        if (got.bytes != expected.bytes || got.crc != expected.crc || got.bytes != got.announcedSize) {
                            System.out.printf("%s MISMATCH uid %d: %d bytes crc %x (RFC822.SIZE %d), reference %d bytes crc %x%n",
                                name, uid, got.bytes, got.crc, got.announcedSize, expected.bytes, expected.crc);
                            bad++;
                        }
                    }
                }
                return bad;
            }));
        }
        // Every client is logged in and has its mailbox open before the clock starts.
        ready.await(10, TimeUnit.MINUTES);
        long begin = System.nanoTime();
        start.countDown();
        for (Future<Integer> result : results) {
            try {
                phase.failures += result.get();
            } catch (java.util.concurrent.ExecutionException e) {
                phase.failures++;
                System.out.printf("%s client failed: %s%n", name, e.getCause());
            }
        }
        phase.seconds = (System.nanoTime() - begin) / 1e9;
        sampler.shutdown();
        sampler.awaitTermination(10, TimeUnit.SECONDS);
        clients.shutdown();
        phase.bytes = bytes.get();
        phase.peakSampled = peakSampled.get();
        phase.peakLive = peakLive.get();
        phase.peakSpill = peakSpill.get();
        phase.peakPools = pools.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        phase.afterGc = BenchSupport.usedHeapAfterGc();
        return phase;
    }

    /** One client's TLS connection, logged in, INBOX examined. */
    private static final class Client implements AutoCloseable {
        private final SSLSocket socket;
        private final InputStream in;
        private final OutputStream out;

        Client(SSLContext trust, int port) throws IOException {
            socket = (SSLSocket) trust.getSocketFactory().createSocket("localhost", port);
            socket.setSoTimeout(600_000);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
            readUntil("* OK");
            command("a LOGIN " + ProxiedJames.ALICE + " " + ProxiedJames.PASSWORD);
            readUntil("a OK");
            command("b EXAMINE INBOX");
            readUntil("b OK");
        }

        /** Thunderbird's fetch_by_chunks of one message. */
        Download chunked(int uid) throws IOException {
            CRC32 crc = new CRC32();
            long bytes = 0;
            long announced = -1;
            byte[] buffer = new byte[16 * 1024];
            for (long origin = 0; ; origin += CHUNK) {
                command("c UID FETCH " + uid + " (UID RFC822.SIZE BODY.PEEK[]<" + origin + "." + CHUNK + ">)");
                long received = 0;
                while (true) {
                    String line = readAsciiLine();
                    Matcher size = SIZE.matcher(line);
                    if (size.find()) {
                        announced = Long.parseLong(size.group(1));
                    }
                    Matcher literal = LITERAL.matcher(line);
                    if (literal.find()) {
                        long n = Long.parseLong(literal.group(1));
                        received += n;
                        while (n > 0) {
                            int read = in.read(buffer, 0, (int) Math.min(buffer.length, n));
                            if (read < 0) {
                                throw new IOException("connection closed in a literal");
                            }
                            crc.update(buffer, 0, read);
                            n -= read;
                        }
                        readAsciiLine();
                    } else if (line.startsWith("c OK")) {
                        break;
                    } else if (line.startsWith("c ")) {
                        throw new IOException("uid " + uid + " at " + origin + ": " + line);
                    }
                }
                bytes += received;
                if (received < CHUNK) {
                    return new Download(bytes, crc.getValue(), announced);
                }
            }
        }

        private void command(String command) throws IOException {
            out.write((command + "\r\n").getBytes(US_ASCII));
            out.flush();
        }

        private void readUntil(String prefix) throws IOException {
            BenchSupport.readUntil(in, prefix);
        }

        private String readAsciiLine() throws IOException {
            return BenchSupport.readAsciiLine(in);
        }

        @Override
        public void close() throws IOException {
            try {
                command("z LOGOUT");
                readUntil("z OK");
            } finally {
                socket.close();
            }
        }
    }

    private static void provision(Session session) throws Exception {
        Random random = new Random(11);
        try (Store store = session.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            for (int i = 0; i < LARGE_MESSAGES; i++) {
                inbox.appendMessages(new Message[] {message(session, "large", i, LARGE_SIZE, random)});
            }
            for (int i = 0; i < SMALL_MESSAGES; i++) {
                inbox.appendMessages(new Message[] {message(session, "small", i, SMALL_SIZE, random)});
            }
            inbox.close(false);
        }
    }

    private static MimeMessage message(Session session, String kind, int index, int size, Random random) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("bob@demo.local"));
        message.setRecipients(Message.RecipientType.TO, ProxiedJames.ALICE);
        message.setSubject(kind + " benchmark message " + index);
        message.setHeader("X-Internal-Route", "relay-" + index);
        StringBuilder body = new StringBuilder(size);
        while (body.length() < size - 600) {
            for (int c = 0; c < 76; c++) {
                body.append((char) ('a' + random.nextInt(26)));
            }
            body.append("\r\n");
        }
        message.setText(body.toString());
        message.saveChanges();
        return message;
    }

    private static long[] counts(ImapProxyBenchmark.Counters counters) {
        long[] values = new long[COUNTERS.length];
        for (int i = 0; i < COUNTERS.length; i++) {
            values[i] = counters.count(COUNTERS[i]);
        }
        return values;
    }

    private static long directorySize(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return 0; // evicted meanwhile
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0; // a file went away during the walk; the next sample counts again
        }
    }

    /** The heap left by the most recent collection of any collector: live data, not garbage awaiting collection. */
    private static long liveAfterLastGc() {
        long live = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof com.sun.management.GarbageCollectorMXBean gc && gc.getLastGcInfo() != null) {
                long sum = gc.getLastGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                    .filter(pool -> isHeapPool(pool.getKey()))
                    .map(Map.Entry::getValue).mapToLong(MemoryUsage::getUsed).sum();
                live = Math.max(live, sum);
            }
        }
        return live;
    }

    private static boolean isHeapPool(String name) {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
            .anyMatch(pool -> pool.getName().equals(name) && pool.getType() == MemoryType.HEAP);
    }
}
