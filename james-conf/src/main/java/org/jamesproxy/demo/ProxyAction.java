package org.jamesproxy.demo;

import java.util.Objects;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * A named {@code <proxyActions><action>}: its body is matcher/mailet XML exactly as in {@code mailetcontainer.xml},
 * given verbatim (the caller owns its well-formedness; the plugin validates it at boot).
 *
 * <pre>{@code
 * ProxyAction.of("IMAP-Demo",
 *     "<mailet match=\"All\" class=\"RemoveMimeHeader\"><name>X-Internal-Secret</name></mailet>");
 * }</pre>
 */
public final class ProxyAction {
    /** Removes the header {@code X-Internal-Secret} with James's standard {@code RemoveMimeHeader} mailet. */
    public static ProxyAction removeHeader(String name, String header) {
        return of(name, "<mailet match=\"All\" class=\"RemoveMimeHeader\"><name>" + Templates.escapeXml(header)
            + "</name></mailet>");
    }

    public static ProxyAction of(String name, String mailetsXml) {
        return new ProxyAction(name, mailetsXml);
    }

    /** One of the plugin's predefined actions (e.g. {@code IMAP-Server.Standard}): named by the policy, never declared. */
    public static ProxyAction predefined(String name) {
        return new ProxyAction(name, "");
    }

    /** True for {@link #predefined}: the file only names it in {@code <proxyAction>}. */
    public boolean isPredefined() {
        return mailetsXml.isEmpty();
    }

    private final String name;
    private final String mailetsXml;

    private ProxyAction(String name, String mailetsXml) {
        Preconditions.checkArgument(name != null && !name.isBlank(), "action name must not be blank");
        this.name = name;
        this.mailetsXml = Objects.requireNonNull(mailetsXml);
    }

    public String name() {
        return name;
    }

    public String mailetsXml() {
        return mailetsXml;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof ProxyAction) {
            ProxyAction that = (ProxyAction) o;
            return name.equals(that.name) && mailetsXml.equals(that.mailetsXml);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, mailetsXml);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("name", name).toString();
    }
}
