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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.collect.ImmutableSet;

/**
 * Scans a message for viruses with a ClamAV daemon ({@code clamd}) over TCP: the raw message (clamd, with
 * {@code ScanMail yes}, decodes MIME itself) and, separately, every decoded leaf part, so that a virus is tied to the
 * part that carries it (part path, file name, type: what {@code strip}/{@code quarantine} act on and the deny message
 * shows). Works in a proxy action and in James's {@code mailetcontainer.xml}.
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
 *   <li>{@code maxDepth} (20), {@code maxParts} (200): bounds of the walk through the MIME tree; a part beyond them is
 *       not scanned on its own (the raw-message scan still covers it) and counts as unscannable.</li>
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
    private static final Session SESSION = Session.getInstance(new Properties());

    private final Optional<MetricFactory> metricFactory;
    private ClamdClient client;
    private long maxScanSize;
    private int maxDepth;
    private int maxParts;
    private RuleAction onVirus;
    private RuleAction onOversize;
    private RuleAction onEngineFailure;
    private boolean addHeaders;

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
        private final Set<String> virusesInParts = new LinkedHashSet<>();
        private boolean unscannable;
        private boolean failed;
        private int parts;

        private void virus(String name, PartPath path, Part part) {
            viruses.add(name);
            if (part != null) {
                virusesInParts.add(name);
            }
            Optional<String> filename = filename(part);
            Finding.Builder finding = Finding.builder(Finding.Category.VIRUS, atPart(onVirus, path),
                    "virus " + name + " found in " + describe(path, filename))
                .part(path)
                .filename(filename)
                .type(type(part))
                .virus(name);
            findings.add(finding.build());
        }

        private void unscannable(PartPath path, Part part, String why) {
            unscannable = true;
            Optional<String> filename = filename(part);
            findings.add(Finding.builder(Finding.Category.UNSCANNABLE, atPart(onOversize, path),
                    describe(path, filename) + " could not be scanned for viruses: " + why)
                .part(path)
                .filename(filename)
                .type(type(part))
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
        ClamdResult whole;
        try {
            whole = client.scan(out -> RawMessage.writeTo(message, out), maxScanSize);
        } catch (ClamdClient.SourceException e) {
            throw new MessagingException("cannot read the message to scan it", e);
        }
        switch (whole.getStatus()) {
            case ERROR:
                scan.failed(whole.getReason());
                return scan;
            case OVERSIZE:
                // Larger than the limit: parsing it to scan its parts would load it whole, which the limit is there
                // to prevent. The prefix that was sent is still checked (a match there is a virus).
                scan.unscannable(PartPath.ROOT, null, whole.getReason());
                return scan;
            default:
                break;
        }
        if (whole.isTruncated()) {
            // A virus in the prefix that was sent, in a message over the limit: no walk either (same reason).
            scan.virus(whole.getSignature().orElseThrow(), PartPath.ROOT, null);
            scan.unscannable(PartPath.ROOT, null, "larger than the scan limit of " + maxScanSize + " bytes");
            return scan;
        }
        walk(message, PartPath.ROOT, 0, scan);
        if (whole.getStatus() == ClamdResult.Status.INFECTED && !scan.failed) {
            String name = whole.getSignature().orElseThrow();
            if (!scan.virusesInParts.contains(name)) {
                // clamd saw it in the raw message but not in any part we decoded (MIME read differently?): the
                // whole message is what carries it.
                scan.virus(name, PartPath.ROOT, null);
            }
        }
        return scan;
    }

    /** A small bounded MIME walk, private on purpose: to be replaced by the shared MIME walker. */
    private void walk(Part part, PartPath path, int depth, Scan scan) {
        if (scan.failed) {
            return;
        }
        if (depth > maxDepth) {
            scan.unscannable(path, part, "nested deeper than " + maxDepth + " levels");
            return;
        }
        try {
            if (part.isMimeType("multipart/*")) {
                // A multipart of our own over the part's data: the message's cached content is left alone.
                Multipart multipart = new MimeMultipart(part.getDataHandler().getDataSource());
                for (int index = 0; index < multipart.getCount() && !scan.failed; index++) {
                    walk(multipart.getBodyPart(index), path.child(index), depth + 1, scan);
                }
                return;
            }
            if (part.isMimeType("message/rfc822")) {
                try (InputStream in = part.getInputStream()) {
                    walk(new MimeMessage(SESSION, in), path.child(0), depth + 1, scan);
                }
                return;
            }
        } catch (Exception e) {
            scan.unscannable(path, part, "unreadable MIME structure (" + e.getClass().getSimpleName() + ")");
            return;
        }
        scanLeaf(part, path, scan);
    }

    private void scanLeaf(Part part, PartPath path, Scan scan) {
        if (++scan.parts > maxParts) {
            if (scan.parts == maxParts + 1) {
                scan.unscannable(path, part, "more than " + maxParts + " parts");
            }
            return;
        }
        ClamdResult result;
        try (InputStream decoded = part.getInputStream()) {
            result = client.scan(decoded, maxScanSize);
        } catch (ClamdClient.SourceException | MessagingException | java.io.IOException e) {
            scan.unscannable(path, part, "its content cannot be decoded (" + rootCause(e).getClass().getSimpleName() + ")");
            return;
        }
        switch (result.getStatus()) {
            case INFECTED:
                scan.virus(result.getSignature().orElseThrow(), path, part);
                return;
            case OVERSIZE:
                scan.unscannable(path, part, result.getReason());
                return;
            case ERROR:
                scan.failed(result.getReason());
                return;
            default:
        }
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

    static Optional<String> filename(Part part) {
        if (part == null) {
            return Optional.empty();
        }
        try {
            String name = part.getFileName();
            if (name == null || name.isBlank()) {
                return Optional.empty();
            }
            // RFC 2231 is decoded by javax.mail; RFC 2047 encoded words (common, though not allowed there) are not.
            return Optional.of(name.contains("=?") ? MimeUtility.decodeText(name) : name);
        } catch (MessagingException | UnsupportedEncodingException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Optional<String> type(Part part) {
        if (part == null) {
            return Optional.empty();
        }
        try {
            String header = part.getContentType();
            if (header == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(new ContentType(header).getBaseType().toLowerCase(Locale.US));
            } catch (javax.mail.internet.ParseException e) {
                return Optional.of(header.split(";", 2)[0].trim().toLowerCase(Locale.US));
            }
        } catch (MessagingException e) {
            return Optional.empty();
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Override
    public String getMailetInfo() {
        return "AntivirusScan: scans the message and each of its parts with clamd";
    }
}
