package org.jamesproxy.mailet.action;

import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What an inspection rule does with what it matched. One vocabulary for every rule (content types, filenames,
 * headers, antivirus, spam) and every protocol; how a verdict looks on the wire is the relay's business.
 * Ordered by severity: when several rules fire on one message, the most severe action decides the message
 * (parts that only need {@link #STRIP} are still stripped when the message is let through).
 */
public enum RuleAction {
    /** Let it through unchanged. */
    ALLOW("allow"),
    /** Replace the offending part by a text part carrying the deny message (part count kept). */
    STRIP("strip"),
    /** Store the original in a James MailRepository, then strip (part) or replace (whole message) with a notice
     * carrying the recovery id. {@code lock} is accepted as a synonym, as in the seeds. */
    QUARANTINE("quarantine"),
    /** The engine could not decide (down, timeout, unscannable by rule): SMTP answers 451, IMAP/POP3 get the
     * deny notice. Only meaningful for engine-failure rules. */
    TEMPFAIL("tempfail"),
    /** The whole message is refused: SMTP 554, IMAP/POP3 the deny notice in its place. */
    DENY("deny"),
    /** Close the client connection. */
    DROP("drop"),
    /** Close the client connection and put the client's address on the auto-block list. */
    BLOCK("block");

    private final String value;

    RuleAction(String value) {
        this.value = value;
    }

    /** The word used in XML and in the {@code org.jamesproxy.verdict} attribute. */
    public String value() {
        return value;
    }

    public boolean isMoreSevereThan(RuleAction other) {
        return compareTo(other) > 0;
    }

    /** Case-insensitive; {@code lock} means {@link #QUARANTINE}. */
    public static Optional<RuleAction> parse(String value) {
        String normalized = value.trim().toLowerCase(Locale.US);
        if (normalized.equals("lock")) {
            return Optional.of(QUARANTINE);
        }
        return Stream.of(values())
            .filter(action -> action.value.equals(normalized))
            .findFirst();
    }
}
