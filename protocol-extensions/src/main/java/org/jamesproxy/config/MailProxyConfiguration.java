package org.jamesproxy.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * The whole of conf/mailproxy.xml, parsed once at boot. Proxy actions stay as XML elements here: turning them
 * into mailets needs James's loaders, which the Guice layer owns.
 */
public final class MailProxyConfiguration {
    public static final MailProxyConfiguration EMPTY = new MailProxyConfiguration(ImmutableMap.of(), ImmutableMap.of(), ImmutableList.of(),
        ImmutableList.of(), ImmutableList.of());

    public static MailProxyConfiguration parse(HierarchicalConfiguration<ImmutableNode> root) throws ConfigurationException {
        ImmutableMap.Builder<String, TlsProfile> profiles = ImmutableMap.builder();
        int index = 0;
        for (HierarchicalConfiguration<ImmutableNode> profile : root.configurationsAt("tlsProfiles.profile")) {
            TlsProfile parsed = TlsProfile.parse(new ConfigValues(profile, "mailproxy.tlsProfiles.profile[" + index++ + "]"));
            profiles.put(parsed.getName(), parsed);
        }
        ImmutableMap<String, TlsProfile> profileMap = profiles.buildOrThrow();

        ImmutableMap.Builder<String, HierarchicalConfiguration<ImmutableNode>> actions = ImmutableMap.builder();
        index = 0;
        for (HierarchicalConfiguration<ImmutableNode> action : root.configurationsAt("proxyActions.action")) {
            ConfigValues values = new ConfigValues(action, "mailproxy.proxyActions.action[" + index++ + "]");
            actions.put(values.requiredString("[@name]"), action);
        }
        ImmutableMap<String, HierarchicalConfiguration<ImmutableNode>> actionMap = actions.buildOrThrow();

        ImmutableList<ImapPolicy> imapPolicies = parsePolicies(root, "imapproxy", profileMap, actionMap.keySet(),
            ImapPolicy::parse, ImapPolicy::getPolicy);
        ImmutableList<SmtpPolicy> smtpPolicies = parsePolicies(root, "smtpproxy", profileMap, actionMap.keySet(),
            SmtpPolicy::parse, SmtpPolicy::getPolicy);
        ImmutableList<Pop3Policy> pop3Policies = parsePolicies(root, "pop3proxy", profileMap, actionMap.keySet(),
            Pop3Policy::parse, Pop3Policy::getPolicy);
        return new MailProxyConfiguration(profileMap, actionMap, imapPolicies, smtpPolicies, pop3Policies);
    }

    @FunctionalInterface
    interface PolicyParser<P> {
        P parse(ConfigValues element, Map<String, TlsProfile> profiles) throws ConfigurationException;
    }

    /** Every enabled {@code <elementName>} of the file, parsed, with its proxy action checked to exist. */
    private static <P> ImmutableList<P> parsePolicies(HierarchicalConfiguration<ImmutableNode> root, String elementName,
                                                      Map<String, TlsProfile> profiles, Set<String> actions,
                                                      PolicyParser<P> parser, Function<P, ProxyPolicy> common) throws ConfigurationException {
        ImmutableList.Builder<P> policies = ImmutableList.builder();
        int index = 0;
        for (HierarchicalConfiguration<ImmutableNode> element : root.configurationsAt(elementName)) {
            ConfigValues values = new ConfigValues(element, "mailproxy." + elementName + "[" + index++ + "]");
            if (!values.bool("[@enabled]", true)) {
                continue;
            }
            P policy = parser.parse(values, profiles);
            checkActionExists(values, common.apply(policy), actions);
            policies.add(policy);
        }
        return policies.build();
    }

    private static void checkActionExists(ConfigValues values, ProxyPolicy policy, Set<String> actions) throws ConfigurationException {
        if (policy.getInspection().getProxyAction().isPresent()
            && !actions.contains(policy.getInspection().getProxyAction().get())) {
            throw values.invalid("proxyAction", policy.getInspection().getProxyAction().get(),
                "no <proxyActions><action name=\"...\"> has that name; defined: " + actions);
        }
    }

    private final ImmutableMap<String, TlsProfile> tlsProfiles;
    private final ImmutableMap<String, HierarchicalConfiguration<ImmutableNode>> proxyActions;
    private final ImmutableList<ImapPolicy> imapPolicies;
    private final ImmutableList<SmtpPolicy> smtpPolicies;
    private final ImmutableList<Pop3Policy> pop3Policies;

    private MailProxyConfiguration(ImmutableMap<String, TlsProfile> tlsProfiles,
                                   ImmutableMap<String, HierarchicalConfiguration<ImmutableNode>> proxyActions,
                                   ImmutableList<ImapPolicy> imapPolicies,
                                   ImmutableList<SmtpPolicy> smtpPolicies,
                                   ImmutableList<Pop3Policy> pop3Policies) {
        this.tlsProfiles = tlsProfiles;
        this.proxyActions = proxyActions;
        this.imapPolicies = imapPolicies;
        this.smtpPolicies = smtpPolicies;
        this.pop3Policies = pop3Policies;
    }

    public Map<String, TlsProfile> getTlsProfiles() {
        return tlsProfiles;
    }

    public Map<String, HierarchicalConfiguration<ImmutableNode>> getProxyActions() {
        return proxyActions;
    }

    public List<ImapPolicy> getImapPolicies() {
        return imapPolicies;
    }

    public List<SmtpPolicy> getSmtpPolicies() {
        return smtpPolicies;
    }

    public List<Pop3Policy> getPop3Policies() {
        return pop3Policies;
    }

    public boolean isEmpty() {
        return imapPolicies.isEmpty() && smtpPolicies.isEmpty() && pop3Policies.isEmpty();
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof MailProxyConfiguration) {
            MailProxyConfiguration that = (MailProxyConfiguration) o;
            return Objects.equals(tlsProfiles, that.tlsProfiles)
                && Objects.equals(proxyActions.keySet(), that.proxyActions.keySet())
                && Objects.equals(imapPolicies, that.imapPolicies)
                && Objects.equals(smtpPolicies, that.smtpPolicies)
                && Objects.equals(pop3Policies, that.pop3Policies);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(tlsProfiles, proxyActions.keySet(), imapPolicies, smtpPolicies, pop3Policies);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("tlsProfiles", tlsProfiles.keySet())
            .add("proxyActions", proxyActions.keySet())
            .add("imapPolicies", imapPolicies)
            .add("smtpPolicies", smtpPolicies)
            .add("pop3Policies", pop3Policies)
            .toString();
    }
}
