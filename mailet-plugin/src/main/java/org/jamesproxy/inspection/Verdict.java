package org.jamesproxy.inspection;

import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the proxy action decided for a message, least severe first. The words are those of the
 * {@link ProxyMailAttributes#VERDICT} attribute (and of the matching {@code RuleAction}s).
 * <table>
 *   <caption>What each client sees</caption>
 *   <tr><th>verdict</th><th>SMTP</th><th>IMAP / POP3</th></tr>
 *   <tr><td>{@link #ALLOW}</td><td>the (possibly modified) message is relayed; the upstream's reply</td>
 *       <td>the (possibly modified) message</td></tr>
 *   <tr><td>{@link #TEMPFAIL}</td><td>{@code 451 4.7.1 <reason>}; the client may retry</td>
 *       <td>the deny notice in place of the message</td></tr>
 *   <tr><td>{@link #DENY}</td><td>{@code 554 5.7.1 <reason>}</td><td>the deny notice in place of the message</td></tr>
 *   <tr><td>{@link #DROP}</td><td>connection closed, no reply to the final dot</td>
 *       <td>connection closed (IMAP: {@code * BYE} first)</td></tr>
 *   <tr><td>{@link #BLOCK}</td><td colspan="2">as {@link #DROP}, and the client address goes to the block hook</td></tr>
 * </table>
 */
public enum Verdict {
    ALLOW("allow"), TEMPFAIL("tempfail"), DENY("deny"), DROP("drop"), BLOCK("block");

    private final String value;

    Verdict(String value) {
        this.value = value;
    }

    /** The word used in the {@link ProxyMailAttributes#VERDICT} attribute. */
    public String value() {
        return value;
    }

    /** The message is not let through (the relay answers for it). */
    public boolean refuses() {
        return this != ALLOW;
    }

    /** The relay replaces the message by the deny notice (IMAP/POP3) or refuses it with a reply (SMTP). */
    public boolean hasNotice() {
        return this == TEMPFAIL || this == DENY;
    }

    /** The relay closes the client connection. */
    public boolean closesConnection() {
        return this == DROP || this == BLOCK;
    }

    /** Case-insensitive, surrounding blanks ignored. */
    public static Optional<Verdict> parse(String value) {
        String normalized = value.trim().toLowerCase(Locale.US);
        return Stream.of(values()).filter(verdict -> verdict.value.equals(normalized)).findFirst();
    }
}
