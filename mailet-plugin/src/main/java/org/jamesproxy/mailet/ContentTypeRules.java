package org.jamesproxy.mailet;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.MailetParameters;
import org.jamesproxy.mailet.action.RuleAction;
import org.jamesproxy.mime.ContentTypeDetector;
import org.jamesproxy.mime.MimeItem;
import org.jamesproxy.mime.MimeRuleMailet;
import org.jamesproxy.mime.MimeScanner;
import org.jamesproxy.mime.RuleList;

import com.google.common.collect.ImmutableSet;

/**
 * Acts on parts by MIME type: patterns {@code type/subtype} with wildcards ({@code application/x-msdownload},
 * {@code application/*}, {@code application/vnd.ms-*}, {@code *}{@code /*}), case-insensitive, without parameters.
 * <p>
 * Types of an item: the declared {@code Content-Type} of each leaf part and, with {@code detectContentType}, the type
 * detected from the content by Apache Tika's magic numbers (plus their super-types, e.g. an OOXML document is
 * also {@code application/zip}). Only types whose first matching entry is not {@code allow} are asked about, and a
 * type counts as detected when the content matches its magic (see {@link ContentTypeDetector}). Each type is looked up on its own, first matching entry deciding, and the most severe
 * outcome counts: <b>a rule matches if either the declared or a detected type matches</b>, so an executable labelled
 * {@code application/pdf} is caught by {@code application/x-msdownload = strip} even when {@code application/pdf = allow}
 * comes first. Entries of ZIP archives ({@code scanArchives}) have no declared type; their detected types are looked up
 * (detection is always on for archive entries). A type no entry matches is allowed: end with {@code *}{@code /* = action}
 * for "none matched".
 * <p>
 * Parameters:
 * <ul>
 *   <li>{@code rules} (required): {@code pattern[, pattern...] = action} entries separated by {@code ;} or line
 *       breaks; actions allow, strip, quarantine (lock), tempfail, deny, drop, block;</li>
 *   <li>{@code detectContentType} (true): also detect the type of MIME parts from their content;</li>
 *   <li>{@code scanArchives} (true), {@code onUnscannable} (deny), and the limits {@code maxDepth}, {@code maxParts},
 *       {@code maxHeaderSize}, {@code maxDecodedSize}, {@code maxArchiveDepth}, {@code maxArchiveEntries}: as for
 *       {@link FilenameRules}.</li>
 * </ul>
 * Example:
 * <pre>
 * &lt;mailet match="All" class="org.jamesproxy.mailet.ContentTypeRules"&gt;
 *   &lt;rules&gt;
 *     application/x-msdownload, application/x-dosexec, application/x-sh = strip
 *     application/*, text/*, image/*, multipart/* = allow
 *     *&#47;* = allow
 *   &lt;/rules&gt;
 *   &lt;detectContentType&gt;true&lt;/detectContentType&gt;
 * &lt;/mailet&gt;
 * </pre>
 * Findings: category CONTENT_TYPE on the leaf part (for an archive entry: the part holding the archive), with the
 * matched type. See {@link MimeScanner} for the hostile-MIME decisions.
 */
public class ContentTypeRules extends MimeRuleMailet {
    public static final String DETECT_CONTENT_TYPE = "detectContentType";
    private static final Pattern TYPE_PATTERN = Pattern.compile("[^/\\s]+/[^/\\s]+");

    private boolean detectContentType;

    @Override
    protected Set<String> extraParameters() {
        return ImmutableSet.of(DETECT_CONTENT_TYPE);
    }

    @Override
    protected void initExtra(MailetParameters parameters) throws javax.mail.MessagingException {
        detectContentType = parameters.bool(DETECT_CONTENT_TYPE, true);
    }

    @Override
    protected String rulesHint() {
        return "'type/subtype[, type/subtype...] = action' entries separated by ';' or line breaks, "
            + "e.g. 'application/x-msdownload = strip; */* = allow'";
    }

    @Override
    protected Optional<String> checkPattern(String pattern) {
        return TYPE_PATTERN.matcher(pattern).matches() ? Optional.empty() : Optional.of("expected type/subtype, e.g. application/*");
    }

    @Override
    protected MimeScanner.Options scannerOptions(boolean scanArchives) {
        // Detection only asks about the types a rule would act on (see ContentTypeDetector).
        ContentTypeDetector detector = ContentTypeDetector.forTypes(type -> getRules().firstMatch(type)
            .filter(rule -> rule.getAction() != RuleAction.ALLOW)
            .isPresent());
        return new MimeScanner.Options(detectContentType, true, scanArchives, detector);
    }

    @Override
    protected Optional<Finding> evaluate(RuleList rules, MimeItem item) {
        Set<String> types = new LinkedHashSet<>();
        item.getDeclaredType().ifPresent(types::add);
        types.addAll(item.getDetectedTypes());
        return rules.decide(types)
            .filter(decision -> decision.getAction() != RuleAction.ALLOW)
            .map(decision -> Finding.builder(Finding.Category.CONTENT_TYPE, decision.getAction(),
                    "content type " + decision.getCandidate() + (isDeclared(item, decision.getCandidate()) ? "" : " (detected)")
                        + " (" + item.describe() + ") matches rule '" + decision.getRule() + "'")
                .part(item.getPart())
                .type(decision.getCandidate())
                .filename(item.getFilenames().stream().findFirst())
                .build());
    }

    private static boolean isDeclared(MimeItem item, String type) {
        return item.getDeclaredType().filter(type::equals).isPresent();
    }

    @Override
    public String getMailetInfo() {
        return "ContentTypeRules: acts on parts and archive entries by declared and detected MIME type";
    }
}
