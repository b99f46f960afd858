package org.jamesproxy.mailet;

import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.internet.MimeUtility;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jamesproxy.engine.EngineEndpoint;
import org.jamesproxy.engine.RawMessage;
import org.jamesproxy.engine.clamav.ClamdClient;
import org.jamesproxy.engine.clamav.ClamdResult;
import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.InspectionRuleMailet;
import org.jamesproxy.mailet.action.MailetParameters;
import org.jamesproxy.mailet.action.PartPath;
import org.jamesproxy.mailet.action.RuleAction;
import org.jamesproxy.mime.MimeItem;
import org.jamesproxy.mime.MimeLimits;
import org.jamesproxy.mime.MimeScanner;
import org.jamesproxy.mime.UnscannableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.collect.ImmutableSet;

/**
 * Scans a message for viruses with a ClamAV daemon ({@code clamd}) over TCP, at the cost of one scan for a clean
 * message. The message is read once with the shared MIME scanner ({@link MimeScanner}, the same lenient reading of
 * hostile MIME as the other rules, every part decoded to its end so that broken base64 is unscannable); then <b>one
 * INSTREAM</b>: the raw message alone when every part is one a standard MIME reader decodes alike (clamd, with
 * {@code ScanMail yes}, decodes MIME itself: base64 and identity parts of a well-formed structure), otherwise a tar of
 * the raw message and the parts read leniently ({@link MimeItem#isReadLeniently()}: quoted-printable, hostile
 * constructions, uuencode/yEnc/BinHex files in text parts), which clamd unpacks and scans entry by entry, so that
 * what a lenient mail reader obtains is scanned even where clamd's own MIME reading differs. Parts that do not fit in
 * {@code maxScanSize} next to the message go in further batches. Only when clamd finds something is the message read
 * again and each part scanned on its own, to tie the
 * virus to the part(s) that carry it (part path, file name, type: what {@code strip}/{@code quarantine} act on and the
 * deny message shows). Works in a proxy action and in James's {@code mailetcontainer.xml}. clamd must run with
 * {@code ScanMail yes} and {@code ScanArchive yes} (its defaults): the raw message's standard parts are decoded by it.
 *
 * <h2>Parameters</h2>
 * <ul>
 *   <li>{@code host} (127.0.0.1), {@code port} (3310): clamd's {@code TCPAddr}/{@code TCPSocket}.</li>
 *   <li>{@code connectTimeout} (5s), {@code timeout} (30s): bounds of each exchange with clamd (connect; the whole
 *       exchange including clamd's work).</li>
 *   <li>{@code maxScanSize} (25M): at most this much of the message, and of each decoded part, is sent. Set clamd's
 *       {@code StreamMaxLength} (and {@code MaxScanSize}/{@code MaxFileSize}) at least as high, and
 *       {@code AlertExceedsMax yes}: clamd answers "OK" for what it did not look at whole, which is never taken as
 *       clean here.</li>
 *   <li>{@code maxDepth} (20), {@code maxParts} (200): bounds of the walk through the MIME tree ({@code maxParts}
 *       counts parts of all levels, the message and multiparts included); a part beyond them is not scanned on its
 *       own (the raw-message scan still covers it) and counts as unscannable. The decoded parts held for the scan are
 *       bounded by {@code maxScanSize}.</li>
 *   <li>{@code onVirus} (default {@code strip}): action for an infected part: allow, strip, quarantine (lock), deny,
 *       drop, block. When the virus cannot be tied to one part (a single-part message, or found only in the raw
 *       message), {@code strip} means {@code deny}: there is no part to cut out.</li>
 *   <li>{@code onOversize} (default {@code deny}): action for what could not be scanned whole (over
 *       {@code maxScanSize} or clamd's limits, a part that cannot be decoded, beyond {@code maxDepth}/{@code maxParts}).
 *       Fail closed: letting unscanned content through must be asked for with {@code allow}. {@code strip} works for a
 *       part and means {@code deny} for the message.</li>
 *   <li>{@code onEngineFailure} (default {@code tempfail}): clamd down, timeout, error reply: tempfail (SMTP 451,
 *       IMAP/POP3 the deny notice), allow, quarantine, deny, drop, block. Fail closed by default.</li>
 *   <li>{@code addHeaders} (true): set {@value #SCANNED_HEADER}{@code : clamd} and {@value #STATUS_HEADER}
 *       ({@code Clean}, {@code Infected (name, ...)}, {@code Unscannable}, {@code Failed}) on the message, replacing
 *       any the sender put there.</li>
 * </ul>
 * A message without a body (what the IMAP proxy inspects for a header-only fetch) is left alone: no scan, no header,
 * no attribute.
 * Mail attributes for routing in James's processors: {@value #STATUS_ATTRIBUTE_NAME} = {@code clean}, {@code infected},
 * {@code unscannable} or {@code failed}; {@value #VIRUSES_ATTRIBUTE_NAME} = the virus names, comma-separated, when
 * infected. Example:
 * <pre>
 * &lt;mailet match="All" class="org.jamesproxy.mailet.AntivirusScan"&gt;
 *   &lt;host&gt;127.0.0.1&lt;/host&gt;&lt;port&gt;3310&lt;/port&gt;&lt;timeout&gt;30s&lt;/timeout&gt;&lt;maxScanSize&gt;25M&lt;/maxScanSize&gt;
 *   &lt;onVirus&gt;strip&lt;/onVirus&gt;&lt;onOversize&gt;deny&lt;/onOversize&gt;&lt;onEngineFailure&gt;tempfail&lt;/onEngineFailure&gt;
 * &lt;/mailet&gt;
 * </pre>
 * Metrics: timer {@value #SCAN_TIMER}; counters {@value #INFECTED_METRIC}, {@value #UNSCANNABLE_METRIC},
 * {@value #FAILED_METRIC}.
 */
public class AntivirusScan extends InspectionRuleMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(AntivirusScan.class);

    public static final String SCANNED_HEADER = "X-Virus-Scanned";
    public static final String STATUS_HEADER = "X-Virus-Status";
    public static final String STATUS_ATTRIBUTE_NAME = "org.jamesproxy.antivirus.status";
    public static final String VIRUSES_ATTRIBUTE_NAME = "org.jamesproxy.antivirus.viruses";
    public static final AttributeName STATUS_ATTRIBUTE = AttributeName.of(STATUS_ATTRIBUTE_NAME);
    public static final AttributeName VIRUSES_ATTRIBUTE = AttributeName.of(VIRUSES_ATTRIBUTE_NAME);
    public static final String SCAN_TIMER = "antivirus-scan";
    public static final String INFECTED_METRIC = "antivirus-infected";
    public static final String UNSCANNABLE_METRIC = "antivirus-unscannable";
    public static final String FAILED_METRIC = "antivirus-engine-failure";

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 3310;
    static final long DEFAULT_MAX_SCAN_SIZE = 25L * 1024 * 1024;
    static final String FAILURE_REASON = "virus scanner unavailable, try again later";

    private static final Set<String> PARAMETERS = ImmutableSet.of("host", "port", "connectTimeout", "timeout",
        "maxScanSize", "maxDepth", "maxParts", "onVirus", "onOversize", "onEngineFailure", "addHeaders");
    private static final Set<RuleAction> VIRUS_ACTIONS = EnumSet.complementOf(EnumSet.of(RuleAction.TEMPFAIL));
    private static final Set<RuleAction> OVERSIZE_ACTIONS = EnumSet.complementOf(EnumSet.of(RuleAction.TEMPFAIL));
    private static final Set<RuleAction> FAILURE_ACTIONS = EnumSet.complementOf(EnumSet.of(RuleAction.STRIP));

    private final Optional<MetricFactory> metricFactory;
    private ClamdClient client;
    private long maxScanSize;
    private int maxDepth;
    private int maxParts;
    private RuleAction onVirus;
    private RuleAction onOversize;
    private RuleAction onEngineFailure;
    private boolean addHeaders;
    private MimeScanner scanner;
    private MimeScanner locator;

    /** Without metrics: for containers that do not inject (tests, other loaders). */
    public AntivirusScan() {
        this.metricFactory = Optional.empty();
    }

    @Inject
    public AntivirusScan(MetricFactory metricFactory) {
        this.metricFactory = Optional.of(metricFactory);
    }

    @Override
    protected Set<String> ruleParameters() {
        return PARAMETERS;
    }

    @Override
    protected void initRule() throws MessagingException {
        MailetParameters parameters = new MailetParameters(getMailetConfig());
        client = new ClamdClient(EngineEndpoint.fromParameters(parameters, DEFAULT_HOST, DEFAULT_PORT,
            Duration.ofSeconds(5), Duration.ofSeconds(30)));
        maxScanSize = parameters.size("maxScanSize", DEFAULT_MAX_SCAN_SIZE);
        maxDepth = parameters.integer("maxDepth", 20, 1, 1000);
        maxParts = parameters.integer("maxParts", 200, 1, 100_000);
        onVirus = parameters.action("onVirus", RuleAction.STRIP, VIRUS_ACTIONS);
        onOversize = parameters.action("onOversize", RuleAction.DENY, OVERSIZE_ACTIONS);
        onEngineFailure = parameters.action("onEngineFailure", RuleAction.TEMPFAIL, FAILURE_ACTIONS);
        addHeaders = parameters.bool("addHeaders", true);
        // The scanner's bounds: the decoded parts are held for the scan, so they share the scan limit.
        MimeLimits limits = new MimeLimits(maxDepth, maxParts, MimeLimits.DEFAULT.getMaxHeaderSize(), maxScanSize, 1, 1);
        scanner = new MimeScanner(limits, MimeScanner.Options.keepingContent(false));
        locator = new MimeScanner(limits, MimeScanner.Options.keepingContent(true));
    }

    /** What could not be scanned whole, including a message javax.mail cannot read. */
    @Override
    protected RuleAction unscannableAction() {
        return onOversize;
    }

    @VisibleForTesting
    ClamdClient client() {
        return client;
    }

    @Override
    protected List<Finding> findings(Mail mail) throws MessagingException {
        if (RawMessage.hasEmptyBody(mail.getMessage())) {
            // Nothing to scan (e.g. an IMAP header-only fetch): no verdict, and no header claiming a scan.
            return List.of();
        }
        TimeMetric timer = metricFactory.map(factory -> factory.timer(SCAN_TIMER)).orElse(null);
        try {
            Scan scan = scan(mail);
            record(mail, scan);
            return scan.findings;
        } finally {
            if (timer != null) {
                timer.stopAndPublish();
            }
        }
    }

    /** What one message's scan found, in order; the whole-message result decides whether parts are scanned. */
    private final class Scan {
        private final List<Finding> findings = new ArrayList<>();
        private final Set<String> viruses = new LinkedHashSet<>();
        private boolean unscannable;
        private boolean failed;

        private void virus(String name, PartPath path, Optional<String> filename, Optional<String> type) {
            viruses.add(name);
            Finding.Builder finding = Finding.builder(Finding.Category.VIRUS, atPart(onVirus, path),
                    "virus " + name + " found in " + describe(path, filename))
                .part(path)
                .filename(filename)
                .type(type)
                .virus(name);
            findings.add(finding.build());
        }

        private void unscannable(PartPath path, Optional<String> filename, Optional<String> type, String why) {
            unscannable = true;
            findings.add(Finding.builder(Finding.Category.UNSCANNABLE, atPart(onOversize, path),
                    describe(path, filename) + " could not be scanned for viruses: " + why)
                .part(path)
                .filename(filename)
                .type(type)
                .build());
        }

        private void failed(String why) {
            failed = true;
            findings.add(Finding.builder(Finding.Category.ENGINE_FAILURE, onEngineFailure, FAILURE_REASON).build());
            LOGGER.warn("Virus scan failed: {}; action {}", why, onEngineFailure.value());
        }
    }

    private Scan scan(Mail mail) throws MessagingException {
        Scan scan = new Scan();
        MimeMessage message = mail.getMessage();
        List<MimeItem> leaves = new ArrayList<>();
        Optional<UnscannableException> unreadable = Optional.empty();
        try {
            scanner.scan(message, leaves::add);
        } catch (UnscannableException e) {
            // What was read before the problem is still scanned, and so is the raw message: a virus is the better reason.
            unreadable = Optional.of(e);
        }
        List<MimeItem> decoded = leaves.stream().filter(MimeItem::isReadLeniently).toList();
        Optional<byte[]> raw = Optional.empty();
        List<List<MimeItem>> batches = List.of(List.of());
        if (!decoded.isEmpty()) {
            // Only here is the raw message copied: its length decides what fits next to it in the first stream.
            raw = Optional.of(rawBytes(message));
            batches = ScanBatches.split(decoded, raw.get().length, maxScanSize);
        }
        ClamdResult whole;
        try {
            whole = scanFirst(message, raw, batches.get(0));
        } catch (ClamdClient.SourceException e) {
            throw new MessagingException("cannot read the message to scan it", e);
        }
        switch (whole.getStatus()) {
            case ERROR:
                scan.failed(whole.getReason());
                return scan;
            case OVERSIZE:
                // Larger than the limit: the prefix that was sent is still checked (a match there is a virus).
                scan.unscannable(PartPath.ROOT, Optional.empty(), Optional.empty(), whole.getReason());
                return scan;
            default:
                break;
        }
        if (whole.isTruncated()) {
            scan.virus(whole.getSignature().orElseThrow(), PartPath.ROOT, Optional.empty(), Optional.empty());
            scan.unscannable(PartPath.ROOT, Optional.empty(), Optional.empty(), "larger than the scan limit of " + maxScanSize + " bytes");
            return scan;
        }
        unreadable.ifPresent(e -> scan.unscannable(e.getPart(), Optional.empty(), Optional.empty(), e.getMessage()));
        if (whole.getStatus() == ClamdResult.Status.INFECTED) {
            locate(batches.get(0), everyLeaf(message), scan);
            if (!scan.failed && scan.viruses.isEmpty()) {
                // clamd saw it in the raw message but in none of the parts we read on their own: the whole message
                // is what carries it.
                scan.virus(whole.getSignature().orElseThrow(), PartPath.ROOT, Optional.empty(), Optional.empty());
            }
        }
        for (int i = 1; i < batches.size() && !scan.failed; i++) {
            ClamdResult result;
            try {
                List<MimeItem> batch = batches.get(i);
                result = batch.size() == 1
                    ? client.scan(batch.get(0).getContent().orElse(new byte[0]), maxScanSize)
                    : client.scan(out -> ScanBatches.writeTar(out, Optional.empty(), batch), maxScanSize);
            } catch (ClamdClient.SourceException e) {
                throw new MessagingException("cannot write a scan batch", e);
            }
            switch (result.getStatus()) {
                case INFECTED -> locate(batches.get(i), List.of(), scan);
                case OVERSIZE -> batches.get(i).forEach(item -> scan.unscannable(item.getPart(), filename(item), item.getDeclaredType(), result.getReason()));
                case ERROR -> scan.failed(result.getReason());
                default -> {
                }
            }
        }
        return scan;
    }

    /**
     * The one INSTREAM most messages cost: the raw message alone when nothing was decoded (clamd, with
     * {@code ScanMail yes}, reads MIME itself); otherwise a tar of the raw message and the decoded parts, which clamd
     * unpacks and scans entry by entry, so that what this proxy decoded is scanned even where clamd's own MIME reading
     * differs.
     */
    private ClamdResult scanFirst(MimeMessage message, Optional<byte[]> raw, List<MimeItem> entries) throws ClamdClient.SourceException {
        if (raw.isEmpty()) {
            return client.scan(out -> RawMessage.writeTo(message, out), maxScanSize);
        }
        if (entries.isEmpty()) {
            return client.scan(raw.get(), maxScanSize);
        }
        return client.scan(out -> ScanBatches.writeTar(out, raw, entries), maxScanSize);
    }

    private static byte[] rawBytes(MimeMessage message) throws MessagingException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            RawMessage.writeTo(message, out);
        } catch (java.io.IOException e) {
            throw new MessagingException("cannot read the message to scan it", e);
        }
        return out.toByteArray();
    }

    /** A batch was infected: each part on its own says which carry the virus (rare, so the cost does not matter). */
    private void locate(List<MimeItem> batch, List<MimeItem> leaves, Scan scan) {
        List<MimeItem> candidates = new ArrayList<>(batch);
        for (MimeItem leaf : leaves) {
            if (!leaf.isReadLeniently()) {
                candidates.add(leaf);
            }
        }
        for (MimeItem item : candidates) {
            if (scan.failed) {
                return;
            }
            ClamdResult result = client.scan(item.getContent().orElse(new byte[0]), maxScanSize);
            switch (result.getStatus()) {
                case INFECTED -> scan.virus(result.getSignature().orElseThrow(), item.getPart(), filename(item), item.getDeclaredType());
                case OVERSIZE -> scan.unscannable(item.getPart(), filename(item), item.getDeclaredType(), result.getReason());
                case ERROR -> scan.failed(result.getReason());
                default -> {
                }
            }
        }
    }

    /** Every leaf part with its decoded content, for locating a virus (what was readable; the walk already ran once). */
    private List<MimeItem> everyLeaf(MimeMessage message) {
        List<MimeItem> leaves = new ArrayList<>();
        try {
            locator.scan(message, leaves::add);
        } catch (UnscannableException e) {
            // Already reported by the first walk.
        }
        return leaves;
    }

    private static Optional<String> filename(MimeItem item) {
        return item.getFilenames().stream().findFirst();
    }

    private void record(Mail mail, Scan scan) throws MessagingException {
        String status;
        String header;
        if (!scan.viruses.isEmpty()) {
            status = "infected";
            header = "Infected (" + String.join(", ", scan.viruses) + ")";
            increment(INFECTED_METRIC);
            LOGGER.info("Virus found in mail {}: {}", mail.getName(), scan.findings);
        } else if (scan.failed) {
            status = "failed";
            header = "Failed";
            increment(FAILED_METRIC);
        } else if (scan.unscannable) {
            status = "unscannable";
            header = "Unscannable";
            increment(UNSCANNABLE_METRIC);
            LOGGER.info("Mail {} could not be scanned whole: {}", mail.getName(), scan.findings);
        } else {
            status = "clean";
            header = "Clean";
        }
        mail.setAttribute(new Attribute(STATUS_ATTRIBUTE, AttributeValue.of(status)));
        if (!scan.viruses.isEmpty()) {
            mail.setAttribute(new Attribute(VIRUSES_ATTRIBUTE, AttributeValue.of(String.join(",", scan.viruses))));
        }
        if (addHeaders) {
            MimeMessage message = mail.getMessage();
            if (!scan.failed) {
                setHeaderIfDifferent(message, SCANNED_HEADER, "clamd");
            }
            setHeaderIfDifferent(message, STATUS_HEADER, header);
        }
    }

    /** Rescanning a message already marked the same way (e.g. at delivery, then at each IMAP fetch) leaves it unmodified. */
    static void setHeaderIfDifferent(MimeMessage message, String name, String value) throws MessagingException {
        String[] current = message.getHeader(name);
        if (current != null && current.length == 1 && current[0].equals(value)) {
            return;
        }
        message.setHeader(name, value);
    }

    private void increment(String metric) {
        metricFactory.ifPresent(factory -> factory.generate(metric).increment());
    }

    /** strip needs a part to cut out: for the message itself it means deny. */
    private static RuleAction atPart(RuleAction action, PartPath path) {
        return action == RuleAction.STRIP && path.isRoot() ? RuleAction.DENY : action;
    }

    private static String describe(PartPath path, Optional<String> filename) {
        if (path.isRoot()) {
            return "the message";
        }
        return filename.map(name -> "attachment " + name + " (part " + path + ")").orElse("part " + path);
    }

    @Override
    public String getMailetInfo() {
        return "AntivirusScan: scans the message and each of its parts with clamd";
    }
}
