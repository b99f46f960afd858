package org.jamesproxy.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.mail.MessagingException;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.james.mailetcontainer.api.MailetLoader;
import org.apache.james.mailetcontainer.api.MatcherLoader;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.mailet.Mailet;
import org.apache.mailet.MailetConfig;
import org.apache.mailet.Matcher;
import org.apache.mailet.MatcherConfig;
import org.apache.mailet.base.test.FakeMailContext;
import org.jamesproxy.config.PredefinedProxyActions;
import org.jamesproxy.engine.EngineEndpoint;
import org.jamesproxy.engine.clamav.ClamdClient;
import org.jamesproxy.engine.clamav.ClamdResult;
import org.jamesproxy.engine.testing.ClamdDaemon;
import org.jamesproxy.engine.testing.EngineBinaries;
import org.jamesproxy.inspection.InspectionContext;
import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.inspection.OnError;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.inspection.ProxyAction;
import org.jamesproxy.inspection.ProxyActionInspector;
import org.jamesproxy.inspection.ProxyActionDefinition;
import org.jamesproxy.inspection.ProxyActionLoader;
import org.jamesproxy.inspection.Verdict;

import com.codahale.metrics.MetricRegistry;

/**
 * The inspection benchmark (run it, don't assert on it). In one JVM and one thread, over the same corpus of wire-format
 * messages (small text mails, and ~1 MB mails with a PDF, a ZIP and an image attached):
 * <ol>
 *   <li><b>baseline</b>: mime4j alone ({@code DefaultMessageBuilder}, content decoding on) parses each message and
 *       reads every decoded body;</li>
 *   <li><b>action without AV</b>: the predefined IMAP-Server.Standard action (StripHeaders + ContentTypeRules with
 *       detection and archive scanning + FilenameRules), loaded from the shipped definition and run by
 *       {@link ProxyActionInspector}, as a proxy runs it;</li>
 *   <li><b>action with AV</b> (with a clamd: {@code -Dbench.clamd=host:port} or a private one started here): the same
 *       action plus the antivirus step of {@link #antivirusStepXml(String)};</li>
 *   <li>against the same clamd in the same run: <b>one raw INSTREAM</b> of each message ({@link ClamdClient}, nothing
 *       else), and the antivirus step alone as an action.</li>
 * </ol>
 * Prints messages/s, MB/s and the ratio of each action's time to the baseline's (target without AV: at most 3), and the
 * ratio of the AV lines to one raw INSTREAM (target for the action with AV: at most 1.5).
 * Properties: bench.smallMessages (2000), bench.largeMessages (40), bench.largeSize (1048576), bench.rounds (5),
 * bench.clamd (unset).
 */
public final class InspectionBenchmark {
    private static final int SMALL_MESSAGES = Integer.getInteger("bench.smallMessages", 2000);
    private static final int LARGE_MESSAGES = Integer.getInteger("bench.largeMessages", 40);
    private static final int LARGE_SIZE = Integer.getInteger("bench.largeSize", 1 << 20);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final Optional<String> CLAMD = Optional.ofNullable(System.getProperty("bench.clamd")).filter(s -> !s.isBlank());

    private static final InspectionContext CONTEXT = InspectionContext.builder(Protocol.IMAP, "bench")
        .user(Optional.of("alice@demo.local"))
        .remoteAddress("127.0.0.1")
        .sessionId("bench")
        .build();

 /** For context: the proxy's inspection machinery (Mail, header parse, serialisation) with the header strip alone. */
    static final String STRIP_STEP =
        "<mailet match=\"All\" class=\"org.jamesproxy.mailet.StripHeaders\"><patterns>^X-Internal-</patterns></mailet>";

    /** The antivirus step of the "with AV" variant: AntivirusScan against the clamd at {@code host:port}. */
    static String antivirusStepXml(String clamdAddress) {
        int colon = clamdAddress.lastIndexOf(':');
        return "<mailet match=\"All\" class=\"org.jamesproxy.mailet.AntivirusScan\">"
            + "<host>" + clamdAddress.substring(0, colon) + "</host><port>" + clamdAddress.substring(colon + 1) + "</port>"
            + "<maxScanSize>8M</maxScanSize></mailet>";
    }

    /**
     * The clamd of the "with AV" variant: {@code -Dbench.clamd=host:port}, or else a private clamd started here with
     * the test signature DB (as the tests do) when the clamd binary is installed; {@code -Dbench.clamd=none} skips it.
     */
    private static Optional<String> clamdAddress(List<AutoCloseable> toClose) {
        if (CLAMD.isPresent()) {
            return CLAMD.filter(value -> !value.equalsIgnoreCase("none"));
        }
        if (EngineBinaries.find("clamd").isEmpty()) {
            System.out.println("No clamd installed (.ci/install-engines.sh installs it): the 'with AV' line is left out.");
            return Optional.empty();
        }
        ClamdDaemon clamd = ClamdDaemon.withDefaults();
        clamd.start();
        toClose.add(clamd);
        return Optional.of(clamd.host() + ":" + clamd.port());
    }

    public static void main(String[] args) throws Exception {
        System.out.printf("Building the corpus: %d small text mails, %d mails of ~%d bytes with attachments...%n",
            SMALL_MESSAGES, LARGE_MESSAGES, LARGE_SIZE);
        Random random = new Random(42);
        List<byte[]> small = new ArrayList<>();
        for (int i = 0; i < SMALL_MESSAGES; i++) {
            small.add(smallMessage(random, i));
        }
        List<byte[]> large = new ArrayList<>();
        for (int i = 0; i < LARGE_MESSAGES; i++) {
            large.add(largeMessage(random, i));
        }
        List<byte[]> mixed = new ArrayList<>(small);
        mixed.addAll(large);

        ProxyActionInspector stripOnly = inspector("StripOnly", STRIP_STEP);
        ProxyActionInspector withoutAv = inspector(PredefinedProxyActions.IMAP_SERVER, "");
        List<AutoCloseable> toClose = new ArrayList<>();
        Optional<String> clamd = clamdAddress(toClose);
        Optional<ProxyActionInspector> withAv = clamd.isPresent()
            ? Optional.of(inspector(PredefinedProxyActions.IMAP_SERVER, antivirusStepXml(clamd.get())))
            : Optional.empty();
        Optional<ProxyActionInspector> avOnly = clamd.isPresent()
            ? Optional.of(inspector("AntivirusOnly", antivirusStepXml(clamd.get())))
            : Optional.empty();
        Optional<ClamdClient> rawClient = clamd.map(InspectionBenchmark::client);

        // The action must really inspect: a clean corpus passes, a renamed executable is stripped/denied.
        checkAction(withoutAv, mixed);

        for (String name : List.of("small", "large", "mixed")) {
            List<byte[]> corpus = name.equals("small") ? small : name.equals("large") ? large : mixed;
            report(name, corpus, stripOnly, withoutAv, withAv, avOnly, rawClient);
        }
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        System.exit(0);
    }

    private static ClamdClient client(String address) {
        int colon = address.lastIndexOf(':');
        return new ClamdClient(EngineEndpoint.of(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)),
            java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(30)));
    }

    /** One INSTREAM of each raw message, nothing else: what "the cost of one scan" is measured against. */
    private static void instreamAll(ClamdClient client, List<byte[]> corpus) {
        for (byte[] message : corpus) {
            ClamdResult result = client.scan(message, 8L << 20);
            if (!result.isClean()) {
                throw new IllegalStateException("the benchmark corpus must be clean for clamd: " + result);
            }
        }
    }

    private static void report(String name, List<byte[]> corpus, ProxyActionInspector stripOnly,
                               ProxyActionInspector withoutAv, Optional<ProxyActionInspector> withAv,
                               Optional<ProxyActionInspector> avOnly, Optional<ClamdClient> rawClient) throws Exception {
        long bytes = corpus.stream().mapToLong(message -> message.length).sum();
        // Warm-up: JIT for every path, a few passes (one pass of a small corpus is a fraction of a second).
        for (int pass = 0; pass < 3; pass++) {
            parseAll(corpus);
            inspectAll(stripOnly, corpus);
            inspectAll(withoutAv, corpus);
            withAv.ifPresent(inspector -> inspectAll(inspector, corpus));
            avOnly.ifPresent(inspector -> inspectAll(inspector, corpus));
            rawClient.ifPresent(client -> instreamAll(client, corpus));
        }

        double[] mime4j = new double[ROUNDS];
        double[] strip = new double[ROUNDS];
        double[] action = new double[ROUNDS];
        double[] actionAv = new double[ROUNDS];
        double[] antivirus = new double[ROUNDS];
        double[] instream = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            mime4j[round] = timed(() -> parseAll(corpus));
            strip[round] = timed(() -> inspectAll(stripOnly, corpus));
            action[round] = timed(() -> inspectAll(withoutAv, corpus));
            int index = round;
            withAv.ifPresent(inspector -> actionAv[index] = timed(() -> inspectAll(inspector, corpus)));
            avOnly.ifPresent(inspector -> antivirus[index] = timed(() -> inspectAll(inspector, corpus)));
            rawClient.ifPresent(client -> instream[index] = timed(() -> instreamAll(client, corpus)));
        }
        double baseline = median(mime4j);
        double noAv = median(action);
        System.out.println();
        System.out.printf("%s corpus: %d messages, %.1f MB (median of %d rounds, one thread)%n",
            name, corpus.size(), bytes / 1e6, ROUNDS);
        line("(a) mime4j parse + read bodies", corpus.size(), bytes, baseline, Optional.empty());
        double stripTime = median(strip);
        line("(s) proxy action, StripHeaders only", corpus.size(), bytes, stripTime, Optional.of(stripTime / baseline));
        line("(b) action without AV", corpus.size(), bytes, noAv, Optional.of(noAv / baseline));
        if (withAv.isPresent()) {
            double av = median(actionAv);
            line("(c) action with AV", corpus.size(), bytes, av, Optional.of(av / baseline));
            double raw = median(instream);
            double avAlone = median(antivirus);
            line("(r) one raw clamd INSTREAM per message", corpus.size(), bytes, raw, Optional.empty());
            System.out.printf("  %-38s %9.1f msg/s %8.1f MB/s   time/(r) = %.2f%n", "(v) AntivirusScan alone",
                corpus.size() / avAlone, bytes / 1e6 / avAlone, avAlone / raw);
            System.out.printf("  %-38s time/(r) = %.2f (target <= 1.5)%n", "(c) action with AV", av / raw);
        }
    }

    private static void line(String label, int messages, long bytes, double seconds, Optional<Double> ratio) {
        System.out.printf("  %-38s %9.1f msg/s %8.1f MB/s%s%n", label, messages / seconds, bytes / 1e6 / seconds,
            ratio.map(r -> String.format("   time/(a) = %.2f%s", r, "")).orElse(""));
    }

    private interface Run {
        void run() throws Exception;
    }

    private static double timed(Run run) {
        try {
            long start = System.nanoTime();
            run.run();
            return (System.nanoTime() - start) / 1e9;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** mime4j alone: parse, then read every decoded body to its end. */
    private static long parseAll(List<byte[]> corpus) throws IOException {
        long total = 0;
        for (byte[] message : corpus) {
            DefaultMessageBuilder builder = new DefaultMessageBuilder();
            builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
            builder.setContentDecoding(true);
            Message parsed = builder.parseMessage(new ByteArrayInputStream(message));
            total += readBodies(parsed);
            parsed.dispose();
        }
        return total;
    }

    private static long readBodies(Entity entity) throws IOException {
        Body body = entity.getBody();
        if (body instanceof Multipart) {
            long total = 0;
            for (Entity part : ((Multipart) body).getBodyParts()) {
                total += readBodies(part);
            }
            return total;
        }
        if (body instanceof Message) {
            return readBodies((Message) body);
        }
        if (body instanceof SingleBody) {
            try (InputStream in = ((SingleBody) body).getInputStream()) {
                return in.transferTo(OutputStreamSink.INSTANCE);
            }
        }
        return 0;
    }

    private static void inspectAll(ProxyActionInspector inspector, List<byte[]> corpus) {
        for (byte[] message : corpus) {
            InspectionResult result = inspector.inspect(CONTEXT, message);
            if (result.getVerdict() != Verdict.ALLOW) {
                throw new IllegalStateException("the benchmark corpus must pass: " + result);
            }
        }
    }

    private static void checkAction(ProxyActionInspector inspector, List<byte[]> corpus) {
        inspectAll(inspector, corpus);
        byte[] renamedExe = largeMessage(new Random(7), -1);
        InspectionResult result = inspector.inspect(CONTEXT, renamedExe);
        if (result.getVerdict() == Verdict.ALLOW && !result.isModified()) {
            throw new IllegalStateException("the action let a renamed executable through unchanged: " + result);
        }
        System.out.println("Check: a renamed executable -> " + result.getVerdict() + (result.isModified() ? ", modified (stripped)" : "")
            + result.getReason().map(r -> " (" + r + ")").orElse(""));
    }

    /**
     * The action {@code name} with {@code steps} appended: for a predefined name ({@link PredefinedProxyActions}) its
     * shipped steps first, as the proxy loads them.
     */
    private static ProxyActionInspector inspector(String name, String steps) throws Exception {
        XMLConfiguration xml = new XMLConfiguration();
        new FileHandler(xml).load(new StringReader("<proxyActions><action name=\"" + name + "\">" + steps + "</action></proxyActions>"));
        ByClassName loader = new ByClassName();
        ProxyActionLoader actionLoader = new ProxyActionLoader(loader, loader, FakeMailContext.defaultContext());
        List<ProxyAction.Step> allSteps = new ArrayList<>();
        if (PredefinedProxyActions.isPredefined(name)) {
            allSteps.addAll(actionLoader.load(PredefinedProxyActions.definition(name).orElseThrow()).getSteps());
        }
        allSteps.addAll(actionLoader.load(ProxyActionDefinition.parse(name, xml.configurationAt("action"))).getSteps());
        String label = steps.isEmpty() || !PredefinedProxyActions.isPredefined(name) ? name : name + "+AV";
        return new ProxyActionInspector(ProxyAction.of(label, allSteps), OnError.DENY, new DropWizardMetricFactory(new MetricRegistry()));
    }

    /** Instantiates by class name and initialises, as James's Guice loaders do (short names: James's packages). */
    private static final class ByClassName implements MailetLoader, MatcherLoader {
        @Override
        public Mailet getMailet(MailetConfig config) throws MessagingException {
            Mailet mailet = (Mailet) instantiate(qualified("org.apache.james.transport.mailets.", config.getMailetName()));
            mailet.init(config);
            return mailet;
        }

        @Override
        public Matcher getMatcher(MatcherConfig config) throws MessagingException {
            Matcher matcher = (Matcher) instantiate(qualified("org.apache.james.transport.matchers.", config.getMatcherName()));
            matcher.init(config);
            return matcher;
        }

        private static String qualified(String defaultPackage, String name) {
            return name.contains(".") ? name : defaultPackage + name;
        }

        private static Object instantiate(String className) throws MessagingException {
            try {
                return Class.forName(className).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new MessagingException("Can not load " + className, e);
            }
        }
    }

    private static final String CRLF = "\r\n";
    private static final String[] WORDS = {"the", "quarterly", "report", "meeting", "budget", "attached", "please",
        "review", "before", "friday", "thanks", "regards", "project", "delivery", "status", "update"};

    private static String headers(int index, String subject) {
        return String.join(CRLF,
            "Return-Path: <alice@demo.local>",
            "Received: from mx1.demo.local by mx2.demo.local; Mon, 2 Jan 2023 10:00:00 +0000",
            "Received: from client.demo.local by mx1.demo.local; Mon, 2 Jan 2023 09:59:59 +0000",
            "X-Internal-Route: relay-" + index,
            "From: Alice <alice@demo.local>",
            "To: Bob <bob@demo.local>",
            "Subject: " + subject + " " + index,
            "Date: Mon, 2 Jan 2023 10:00:00 +0000",
            "Message-ID: <bench-" + index + "@demo.local>",
            "MIME-Version: 1.0") + CRLF;
    }

    private static String text(Random random, int size) {
        StringBuilder text = new StringBuilder(size + 100);
        int column = 0;
        while (text.length() < size) {
            String word = WORDS[random.nextInt(WORDS.length)];
            text.append(word);
            column += word.length();
            if (column > 70) {
                text.append(CRLF);
                column = 0;
            } else {
                text.append(' ');
                column++;
            }
        }
        return text.toString();
    }

    /** ~3 KB: text/plain and text/html alternatives. */
    private static byte[] smallMessage(Random random, int index) {
        String plain = text(random, 1500);
        String boundary = "alt-" + index;
        String message = headers(index, "status")
            + "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"" + CRLF + CRLF
            + "--" + boundary + CRLF + "Content-Type: text/plain; charset=us-ascii" + CRLF + CRLF + plain + CRLF
            + "--" + boundary + CRLF + "Content-Type: text/html; charset=us-ascii" + CRLF + CRLF
            + "<html><body><p>" + plain.replace(CRLF, "<br>" + CRLF) + "</p></body></html>" + CRLF
            + "--" + boundary + "--" + CRLF;
        return message.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * ~{@link #LARGE_SIZE} on the wire: a text part, a PDF (60% of the size), a ZIP of a few documents (about 15%)
     * and a PNG. With {@code index < 0}, the PDF is an executable labelled as a PDF (the action's self-check).
     */
    private static byte[] largeMessage(Random random, int index) {
        int budget = LARGE_SIZE * 3 / 4; // base64 expands by 4/3
        byte[] pdf = new byte[budget * 60 / 100];
        random.nextBytes(pdf);
        System.arraycopy(header(index < 0 ? "MZ" : "%PDF-1.7\n"), 0, pdf, 0, index < 0 ? 2 : 9);
        byte[] png = new byte[budget * 5 / 100];
        random.nextBytes(png);
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, png, 0, 8);
        byte[] zip = zip(random, budget * 20 / 100);
        String boundary = "mixed-" + index;
        String message = headers(index, "documents")
            + "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"" + CRLF + CRLF
            + "--" + boundary + CRLF + "Content-Type: text/plain; charset=us-ascii" + CRLF + CRLF + text(random, 4000) + CRLF
            + attachmentPart(boundary, "application/pdf", "report-" + index + ".pdf", pdf)
            + attachmentPart(boundary, "application/zip", "sources-" + index + ".zip", zip)
            + attachmentPart(boundary, "image/png", "chart.png", png)
            + "--" + boundary + "--" + CRLF;
        return message.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] header(String magic) {
        return magic.getBytes(StandardCharsets.US_ASCII);
    }

    private static String attachmentPart(String boundary, String type, String filename, byte[] content) {
        return "--" + boundary + CRLF
            + "Content-Type: " + type + "; name=\"" + filename + "\"" + CRLF
            + "Content-Disposition: attachment; filename=\"" + filename + "\"" + CRLF
            + "Content-Transfer-Encoding: base64" + CRLF + CRLF
            + Base64.getMimeEncoder().encodeToString(content) + CRLF;
    }

    /** A ZIP of about {@code size} bytes: text documents (compressible) and a random blob (not compressible). */
    private static byte[] zip(Random random, int size) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(size + 1024);
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                for (int i = 0; i < 5; i++) {
                    zip.putNextEntry(new ZipEntry("docs/notes-" + i + ".txt"));
                    zip.write(text(random, size / 5).getBytes(StandardCharsets.US_ASCII));
                    zip.closeEntry();
                }
                byte[] blob = new byte[size / 2];
                random.nextBytes(blob);
                zip.putNextEntry(new ZipEntry("data/blob.bin"));
                zip.write(blob);
                zip.closeEntry();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Discards what mime4j decodes (the baseline must read it, not keep it). */
    private static final class OutputStreamSink extends java.io.OutputStream {
        private static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
        }
    }
}
