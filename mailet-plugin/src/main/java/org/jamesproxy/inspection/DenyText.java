package org.jamesproxy.inspection;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rendered deny message, split the way the seeds' deny messages are: the first line may be a header of the text
 * it is put in, the rest is the text.
 * <ul>
 *   <li>{@code Subject: ...} as first line sets the subject of the notice that replaces a whole message (ignored for
 *       a replaced part, which has no subject);</li>
 *   <li>{@code Content-Type: text/html} (or {@code text/plain}) as first line says the text is HTML; the charset is
 *       always UTF-8, other parameters are ignored. Any other type is refused when the template is configured.</li>
 * </ul>
 * Only these two header names are recognised, so an ordinary first line such as {@code Reason: virus} stays text,
 * and a template can never add addressing headers. One empty line right after the header line is skipped.
 */
public final class DenyText {
    private static final Pattern HEADER_LINE = Pattern.compile("(?i)^(subject|content-type)[ \\t]*:[ \\t]*(.*)$");
    private static final Pattern MIME_TYPE = Pattern.compile("(?i)^\\s*(text/(?:plain|html))\\s*(;.*)?$");

    public static final String TEXT_PLAIN = "text/plain";
    public static final String TEXT_HTML = "text/html";

    private final Optional<String> subject;
    private final String mimeType;
    private final String body;

    private DenyText(Optional<String> subject, String mimeType, String body) {
        this.subject = subject;
        this.mimeType = mimeType;
        this.body = body;
    }

    public static DenyText plain(String body) {
        return new DenyText(Optional.empty(), TEXT_PLAIN, body);
    }

    /** Never fails: an unusable Content-Type line falls back to text/plain (templates are validated at init). */
    public static DenyText parse(String rendered) {
        String text = rendered.replace("\r\n", "\n");
        int newline = text.indexOf('\n');
        String first = newline < 0 ? text : text.substring(0, newline);
        Matcher header = HEADER_LINE.matcher(first);
        if (!header.matches()) {
            return plain(text);
        }
        String rest = newline < 0 ? "" : text.substring(newline + 1);
        if (rest.startsWith("\n")) {
            rest = rest.substring(1);
        }
        String value = header.group(2).trim();
        if (header.group(1).equalsIgnoreCase("subject")) {
            return new DenyText(Optional.of(Reasons.sanitize(value, "message removed by the mail proxy")), TEXT_PLAIN, rest);
        }
        return new DenyText(Optional.empty(), mimeType(value).orElse(TEXT_PLAIN), rest);
    }

    /** For configuration checks: the problem with the template's first line, if it is a header line that is not usable. */
    public static Optional<String> headerLineProblem(String template) {
        String first = template.replace("\r\n", "\n").split("\n", 2)[0];
        Matcher header = HEADER_LINE.matcher(first);
        if (header.matches() && header.group(1).equalsIgnoreCase("content-type") && mimeType(header.group(2)).isEmpty()) {
            return Optional.of("the first line '" + first.trim() + "' must be Content-Type: text/plain or text/html");
        }
        return Optional.empty();
    }

    private static Optional<String> mimeType(String value) {
        Matcher type = MIME_TYPE.matcher(value);
        return type.matches() ? Optional.of(type.group(1).toLowerCase(Locale.US)) : Optional.empty();
    }

    public Optional<String> getSubject() {
        return subject;
    }

    /** {@value #TEXT_PLAIN} or {@value #TEXT_HTML}. */
    public String getMimeType() {
        return mimeType;
    }

    /** The MIME Content-Type to use, charset included. */
    public String contentType() {
        return mimeType + "; charset=UTF-8";
    }

    /** The text, line ends as LF. */
    public String getBody() {
        return body;
    }
}
