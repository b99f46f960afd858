package org.jamesproxy.mailet.action;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an exception thrown while reading a message into the {@code UNSCANNABLE} finding that stands for it: the one
 * place where a parser's failure becomes a decision ({@link InspectionRuleMailet#inspect}, {@link FindingsExecutor}).
 */
public final class UnscannableFindings {
    private static final Logger LOGGER = LoggerFactory.getLogger(UnscannableFindings.class);
    private static final int MAX_REASON = 200;

    private UnscannableFindings() {
    }

    public static Finding fromException(String rule, RuleAction action, Exception e) {
        String reason = "unscannable message (" + describe(e) + ")";
        LOGGER.info("{}: {}: action {}", rule, reason, action.value(), e);
        return Finding.builder(Finding.Category.UNSCANNABLE, action, reason).build();
    }

    /**
     * A part to strip that javax.mail's reading of the message does not have (hostile MIME read leniently by the
     * scanner): the message goes no further, with the finding's own reason and why the strip failed.
     */
    static Finding notStripped(String rule, RuleAction action, Finding finding, Exception e) {
        String reason = finding.getReason() + "; unscannable message: the part cannot be cut out as javax.mail reads the"
            + " message (" + describe(e.getCause() == null ? e : e.getCause()) + ")";
        LOGGER.info("{}: {}: action {}", rule, reason, action.value(), e);
        return Finding.builder(finding.getCategory(), action, reason)
            .part(finding.getPart())
            .filename(finding.getFilename())
            .type(finding.getType())
            .build();
    }

    /** "ParseException: Unbalanced quoted string", the innermost cause's message bounded and on one line. */
    static String describe(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? "" : ": " + cause.getMessage().replaceAll("[\\p{Cntrl}]+", " ").trim();
        String text = cause.getClass().getSimpleName() + message;
        return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) + "..." : text;
    }
}
