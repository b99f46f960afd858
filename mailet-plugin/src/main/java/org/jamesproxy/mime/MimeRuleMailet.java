package org.jamesproxy.mime;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.InspectionRuleMailet;
import org.jamesproxy.mailet.action.MailetParameters;
import org.jamesproxy.mailet.action.RuleAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableSet;

/**
 * What {@code ContentTypeRules} and {@code FilenameRules} share: a {@code rules} list ({@link RuleList}), the
 * {@link MimeScanner} walk within {@link MimeLimits}, archive scanning and the {@code onUnscannable} action.
 * <p>
 * Parameters: {@code rules} (required), {@code onUnscannable} (default {@code deny}), {@code scanArchives}
 * (default {@code true}), the limits of {@link MimeLimits}, and {@code allowUuencode} / {@code allowBinhex} /
 * {@code allowYenc} (default {@code true}): files embedded in text parts in these encodings are always found and
 * matched by name and content like attachments; with {@code false}, a text part carrying one is stripped.
 */
public abstract class MimeRuleMailet extends InspectionRuleMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(MimeRuleMailet.class);

    public static final String RULES = "rules";
    public static final String ON_UNSCANNABLE = "onUnscannable";
    public static final String SCAN_ARCHIVES = "scanArchives";
    public static final String ALLOW_UUENCODE = "allowUuencode";
    public static final String ALLOW_BINHEX = "allowBinhex";
    public static final String ALLOW_YENC = "allowYenc";

    private RuleList rules;
    private RuleAction onUnscannable;
    private boolean scanArchives;
    private MimeScanner scanner;
    private Set<String> deniedEmbeddings;

    @Override
    protected final Set<String> ruleParameters() {
        return ImmutableSet.<String>builder()
            .add(RULES, ON_UNSCANNABLE, SCAN_ARCHIVES, ALLOW_UUENCODE, ALLOW_BINHEX, ALLOW_YENC)
            .addAll(MimeLimits.PARAMETERS)
            .addAll(extraParameters())
            .build();
    }

    @Override
    protected final void initRule() throws MessagingException {
        MailetParameters parameters = new MailetParameters(getMailetConfig());
        rules = RuleList.parse(getMailetName(), RULES, parameters.required(RULES, rulesHint()), this::checkPattern);
        onUnscannable = parameters.action(ON_UNSCANNABLE, RuleAction.DENY);
        scanArchives = parameters.bool(SCAN_ARCHIVES, true);
        ImmutableSet.Builder<String> denied = ImmutableSet.builder();
        if (!parameters.bool(ALLOW_UUENCODE, true)) {
            denied.add(EmbeddedFiles.Kind.UUENCODE.word());
        }
        if (!parameters.bool(ALLOW_BINHEX, true)) {
            denied.add(EmbeddedFiles.Kind.BINHEX.word());
        }
        if (!parameters.bool(ALLOW_YENC, true)) {
            denied.add(EmbeddedFiles.Kind.YENC.word());
        }
        deniedEmbeddings = denied.build();
        initExtra(parameters);
        scanner = new MimeScanner(MimeLimits.fromParameters(parameters), scannerOptions(scanArchives));
    }

    /** Public (the contract has it protected) so that tests and tools can see what the rule finds without acting. */
    @Override
    public final List<Finding> findings(Mail mail) throws MessagingException {
        List<Finding> findings = new ArrayList<>();
        try {
            scanner.scan(mail.getMessage(), item -> {
                embeddingNotAllowed(item).ifPresent(findings::add);
                evaluate(rules, item).ifPresent(findings::add);
            });
        } catch (UnscannableException e) {
            LOGGER.info("{}: {} for mail {}: action {}", getMailetName(), e.describe(), mail.getName(), onUnscannable.value());
            if (onUnscannable != RuleAction.ALLOW) {
                findings.add(Finding.builder(Finding.Category.UNSCANNABLE, onUnscannable, e.describe())
                    .part(e.getPart())
                    .build());
            }
        }
        return findings;
    }

    /** A file in a text part in an encoding this rule does not allow: the text part is stripped. */
    private Optional<Finding> embeddingNotAllowed(MimeItem item) {
        return item.getEmbedding()
            .filter(deniedEmbeddings::contains)
            .map(embedding -> Finding.builder(Finding.Category.CONTENT_TYPE, RuleAction.STRIP,
                    item.describe() + ": " + embedding + " files are not allowed")
                .part(item.getPart())
                .filename(item.getFilenames().stream().findFirst())
                .type(embedding)
                .build());
    }

    @Override
    protected RuleAction unscannableAction() {
        return onUnscannable;
    }

    protected RuleList getRules() {
        return rules;
    }

    /** Parameters of the subclass besides the shared ones. */
    protected Set<String> extraParameters() {
        return ImmutableSet.of();
    }

    protected void initExtra(MailetParameters parameters) throws MessagingException {
    }

    /** Shown when {@code rules} is missing. */
    protected abstract String rulesHint();

    /** Why a pattern is invalid for this rule, or empty. */
    protected abstract Optional<String> checkPattern(String pattern);

    protected abstract MimeScanner.Options scannerOptions(boolean scanArchives);

    /** The finding for one item, when a rule with another action than {@code allow} decided. */
    protected abstract Optional<Finding> evaluate(RuleList rules, MimeItem item);
}
