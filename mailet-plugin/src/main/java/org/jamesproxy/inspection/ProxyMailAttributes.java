package org.jamesproxy.inspection;

import org.apache.mailet.AttributeName;

/**
 * Mail attributes shared between the inspection pipeline and the mailets of a proxy action.
 * <ul>
 *   <li>{@link #VERDICT}: a mailet sets it to one of {@code allow}, {@code tempfail}, {@code deny}, {@code drop},
 *       {@code block} (case-insensitive, see {@link Verdict}); anything but {@code allow} ends the action.
 *       Any other word is a mailet error, handled by the policy's {@code onError}.
 *       {@link #VERDICT_REASON} carries the human-readable reason (SMTP reply, logs, notice).</li>
 *   <li>{@link #VERDICT_MESSAGE}: optional, the rendered deny message for a whole-message {@code deny}/{@code tempfail};
 *       IMAP/POP3 clients get it as the body of the deny notice. Its first line may be a header
 *       ({@link DenyText}).</li>
 *   <li>{@link #PROTOCOL}, {@link #POLICY}, {@link #USER}, {@link #SESSION_ID}: set by the pipeline before the first
 *       step, so matchers such as {@code HasMailAttributeWithValue} can branch on them.</li>
 * </ul>
 */
public final class ProxyMailAttributes {
    public static final AttributeName VERDICT = AttributeName.of("org.jamesproxy.verdict");
    public static final AttributeName VERDICT_REASON = AttributeName.of("org.jamesproxy.verdict.reason");
    public static final AttributeName VERDICT_MESSAGE = AttributeName.of("org.jamesproxy.verdict.message");
    public static final AttributeName PROTOCOL = AttributeName.of("org.jamesproxy.protocol");
    public static final AttributeName POLICY = AttributeName.of("org.jamesproxy.policy");
    public static final AttributeName USER = AttributeName.of("org.jamesproxy.user");
    public static final AttributeName SESSION_ID = AttributeName.of("org.jamesproxy.sessionId");

    public static final String ALLOW = Verdict.ALLOW.value();
    public static final String TEMPFAIL = Verdict.TEMPFAIL.value();
    public static final String DENY = Verdict.DENY.value();
    public static final String DROP = Verdict.DROP.value();
    public static final String BLOCK = Verdict.BLOCK.value();

    private ProxyMailAttributes() {
    }
}
