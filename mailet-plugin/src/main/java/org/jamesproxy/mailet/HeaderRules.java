package org.jamesproxy.mailet;

import java.io.UnsupportedEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import javax.mail.MessagingException;
import javax.mail.internet.MimeUtility;

import org.apache.mailet.Mail;
import org.apache.mailet.MailetException;
import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.FindingsExecutor;
import org.jamesproxy.mailet.action.InspectionRuleMailet;
import org.jamesproxy.mailet.action.RuleAction;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * Allow/deny rules on header values. Each rule names a header field, a Java regular expression searched in each of
 * its values (unfolded, RFC 2047 encoded-words decoded; {@code find()} semantics, so anchor with {@code ^...$} for a
 * whole-value match, and use {@code (?i)} for case-insensitivity), and the action when it matches. Rules are tried in
 * order and the <b>first matching rule decides</b>, so an {@code allow} rule placed first exempts what it matches from
 * the rules after it.
 * <p>
 * Parameter {@code rules}: one rule per line, or rules separated by {@code ;} (write {@code \;} for a semicolon
 * inside a regex). Each rule is {@code <Header-Name> ~ <regex> = <action>}: the header name is what comes before the
 * first {@code ~}, the action is the word after the last {@code =} (so a regex may contain {@code =} and {@code ~}).
 * Actions: {@code allow}, {@code quarantine} (or {@code lock}; the whole message), {@code tempfail}, {@code deny},
 * {@code drop}, {@code block}. {@code strip} has no meaning for a header; removing headers is {@link StripHeaders}'s job.
 * Values longer than {@value #MAX_VALUE_LENGTH} characters are matched on their first {@value #MAX_VALUE_LENGTH}.
 * <p>
 * Plus the common rule parameters of {@link FindingsExecutor} ({@code denyMessage}, {@code alarm}, ...).
 * <pre>
 * &lt;mailet match="All" class="org.jamesproxy.mailet.HeaderRules"&gt;
 *   &lt;rules&gt;
 *     From ~ (?i)@partner\.example$ = allow
 *     Subject ~ (?i)invoice.*urgent = deny
 *     X-Mailer ~ ^BadBot = drop
 *   &lt;/rules&gt;
 *   &lt;denyMessage&gt;Subject: Message refused\nThe message was %(action)%: %(reason)%.&lt;/denyMessage&gt;
 * &lt;/mailet&gt;
 * </pre>
 * The finding's reason is {@code header <Name> matches <regex>}.
 */
public class HeaderRules extends InspectionRuleMailet {
    static final String RULES = "rules";
    static final int MAX_VALUE_LENGTH = 16 * 1024;
    private static final Pattern HEADER_NAME = Pattern.compile("[!-9;-~]+");
    private static final Pattern SEPARATOR = Pattern.compile("(?<!\\\\);|\\r?\\n");

    /** One parsed rule. */
    static final class Rule {
        final String header;
        final Pattern pattern;
        final RuleAction action;

        Rule(String header, Pattern pattern, RuleAction action) {
            this.header = header;
            this.pattern = pattern;
            this.action = action;
        }

        String describe() {
            return "header " + header + " matches " + pattern.pattern();
        }
    }

    private List<Rule> rules = ImmutableList.of();

    @Override
    protected Set<String> ruleParameters() {
        return ImmutableSet.of(RULES);
    }

    @Override
    protected void initRule() throws MessagingException {
        String value = getInitParameterAsOptional(RULES)
            .orElseThrow(() -> new MailetException(getMailetName() + ": parameter '" + RULES + "' is required"));
        rules = parse(getMailetName(), value);
    }

    static List<Rule> parse(String mailetName, String value) throws MailetException {
        List<Rule> parsed = new ArrayList<>();
        for (String entry : SEPARATOR.split(value)) {
            String text = entry.trim();
            if (text.isEmpty()) {
                continue;
            }
            parsed.add(parseRule(mailetName, text));
        }
        if (parsed.isEmpty()) {
            throw new MailetException(mailetName + ": parameter '" + RULES + "' has no rule");
        }
        return ImmutableList.copyOf(parsed);
    }

    private static Rule parseRule(String mailetName, String text) throws MailetException {
        String where = mailetName + ": invalid rule '" + text + "' in parameter '" + RULES + "': ";
        int tilde = text.indexOf('~');
        int equals = text.lastIndexOf('=');
        if (tilde < 0 || equals < tilde) {
            throw new MailetException(where + "expected <Header-Name> ~ <regex> = <action>");
        }
        String header = text.substring(0, tilde).trim();
        if (!HEADER_NAME.matcher(header).matches()) {
            throw new MailetException(where + "'" + header + "' is not a header field name");
        }
        String word = text.substring(equals + 1).trim();
        RuleAction action = RuleAction.parse(word)
            .orElseThrow(() -> new MailetException(where + "unknown action '" + word
                + "' (expected allow, quarantine, lock, tempfail, deny, drop or block)"));
        if (action == RuleAction.STRIP) {
            throw new MailetException(where + "strip has no meaning for a header rule (StripHeaders removes headers)");
        }
        String regex = text.substring(tilde + 1, equals).trim().replace("\\;", ";");
        if (regex.isEmpty()) {
            throw new MailetException(where + "empty regex");
        }
        try {
            return new Rule(header, Pattern.compile(regex), action);
        } catch (PatternSyntaxException e) {
            throw new MailetException(where + "invalid regex: " + e.getDescription());
        }
    }

    @Override
    protected List<Finding> findings(Mail mail) throws MessagingException {
        for (Rule rule : rules) {
            String[] values = mail.getMessage().getHeader(rule.header);
            if (values == null) {
                continue;
            }
            for (String value : values) {
                if (rule.pattern.matcher(decoded(value)).find()) {
                    return ImmutableList.of(Finding.builder(Finding.Category.HEADER, rule.action, rule.describe()).build());
                }
            }
        }
        return ImmutableList.of();
    }

    private static String decoded(String raw) {
        String unfolded = utf8(MimeUtility.unfold(raw));
        String value;
        try {
            value = MimeUtility.decodeText(unfolded);
        } catch (UnsupportedEncodingException | RuntimeException e) {
            value = unfolded;
        }
        return value.length() <= MAX_VALUE_LENGTH ? value : value.substring(0, MAX_VALUE_LENGTH);
    }

    /** javax.mail reads raw 8-bit (RFC 6532) header bytes as ISO-8859-1 chars: read them back as UTF-8 when they are. */
    private static String utf8(String value) {
        if (value.chars().noneMatch(c -> c >= 0x80) || value.chars().anyMatch(c -> c > 0xFF)) {
            return value;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(value.getBytes(StandardCharsets.ISO_8859_1)))
                .toString();
        } catch (CharacterCodingException e) {
            return value;
        }
    }

    List<Rule> rules() {
        return rules;
    }

    @Override
    public String getMailetInfo() {
        return "HeaderRules: allow/deny rules on header values";
    }
}
