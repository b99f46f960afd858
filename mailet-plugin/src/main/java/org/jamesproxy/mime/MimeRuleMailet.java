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
 * (default {@code true}) and the limits of {@link MimeLimits}.
 */
public abstract class MimeRuleMailet extends InspectionRuleMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(MimeRuleMailet.class);

    public static final String RULES = "rules";
    public static final String ON_UNSCANNABLE = "onUnscannable";
    public static final String SCAN_ARCHIVES = "scanArchives";

    private RuleList rules;
    private RuleAction onUnscannable;
    private boolean scanArchives;
    private MimeScanner scanner;

    @Override
    protected final Set<String> ruleParameters() {
        return ImmutableSet.<String>builder()
            .add(RULES, ON_UNSCANNABLE, SCAN_ARCHIVES)
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
        initExtra(parameters);
        scanner = new MimeScanner(MimeLimits.fromParameters(parameters), scannerOptions(scanArchives));
    }

    /** Public (the contract has it protected) so that tests and tools can see what the rule finds without acting. */
    @Override
    public final List<Finding> findings(Mail mail) throws MessagingException {
        List<Finding> findings = new ArrayList<>();
        try {
            scanner.scan(mail.getMessage(), item -> evaluate(rules, item).ifPresent(findings::add));
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
