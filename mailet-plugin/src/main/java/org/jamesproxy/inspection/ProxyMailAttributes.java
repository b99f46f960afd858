package org.jamesproxy.inspection;

import org.apache.mailet.AttributeName;

/**
 * Mail attributes shared between the inspection pipeline and the mailets of a proxy action.
 * <ul>
 *   <li>{@link #VERDICT}: a mailet sets it to {@code "deny"} (case-insensitive) to refuse the message, or to
 *       {@code "allow"}; {@link #VERDICT_REASON} carries the human-readable reason of a deny.</li>
 *   <li>{@link #PROTOCOL}, {@link #POLICY}, {@link #USER}, {@link #SESSION_ID}: set by the pipeline before the first
 *       step, so matchers such as {@code HasMailAttributeWithValue} can branch on them.</li>
 * </ul>
 */
public final class ProxyMailAttributes {
    public static final AttributeName VERDICT = AttributeName.of("org.jamesproxy.verdict");
    public static final AttributeName VERDICT_REASON = AttributeName.of("org.jamesproxy.verdict.reason");
    public static final AttributeName PROTOCOL = AttributeName.of("org.jamesproxy.protocol");
    public static final AttributeName POLICY = AttributeName.of("org.jamesproxy.policy");
    public static final AttributeName USER = AttributeName.of("org.jamesproxy.user");
    public static final AttributeName SESSION_ID = AttributeName.of("org.jamesproxy.sessionId");

    public static final String DENY = "deny";
    public static final String ALLOW = "allow";

    private ProxyMailAttributes() {
    }
}
