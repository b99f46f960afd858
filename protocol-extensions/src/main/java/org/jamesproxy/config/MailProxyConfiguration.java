package org.jamesproxy.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.jamesproxy.inspection.ProxyActionDefinition;
import org.jamesproxy.values.ConfigurationReads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * The whole of conf/mailproxy.xml, parsed once at boot into immutable values. Proxy actions are parsed into
 * {@link ProxyActionDefinition}s; turning those into mailets needs James's loaders, which the Guice layer owns.
 */
public final class MailProxyConfiguration {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailProxyConfiguration.class);
    private static final int MAX_INSPECTION_THREADS = 1024;
    public static final MailProxyConfiguration EMPTY = new MailProxyConfiguration(ImmutableMap.of(), ImmutableMap.of(), ImmutableMap.of(),
        Optional.empty(), Duration.ofSeconds(10), defaultInspectionThreads(), SharedStateConfig.MEMORY);

    /** Every kind of policy element, in the order their listeners start. */
    public static final List<PolicyKind<?>> POLICY_KINDS = List.of(ImapPolicy.KIND, SmtpPolicy.KIND, Pop3Policy.KIND);

    /** {@code <inspectionThreads>} when absent: twice the processors, as James sizes its own I/O worker pools. */
    public static int defaultInspectionThreads() {
        return Math.min(MAX_INSPECTION_THREADS, 2 * Runtime.getRuntime().availableProcessors());
    }

    public static MailProxyConfiguration parse(HierarchicalConfiguration<ImmutableNode> file) throws ConfigurationException {
        // Every key the code below asks for is known; whatever else the file holds is a typo or a stale element.
        ConfigurationReads reads = ConfigurationReads.of(file);
        HierarchicalConfiguration<ImmutableNode> root = reads.tracked();
        MailProxyConfiguration configuration = parse(root, reads);
        reads.failOnUnread("mailproxy");
        return configuration;
    }

    private static MailProxyConfiguration parse(HierarchicalConfiguration<ImmutableNode> root, ConfigurationReads reads)
            throws ConfigurationException {
        ImmutableMap<String, TlsProfile> profileMap = parseProfiles(root);
        Optional<ProxyAuthorityConfig> proxyAuthority = ProxyAuthorityConfig.parse(new ConfigValues(root, "mailproxy"));
        Duration reloadCheckInterval = new ConfigValues(root, "mailproxy").duration("certificateReloadCheckInterval", "10s");
        int inspectionThreads = new ConfigValues(root, "mailproxy").integer("inspectionThreads", defaultInspectionThreads(),
            1, MAX_INSPECTION_THREADS);

        ImmutableMap<String, ProxyActionDefinition> actionMap = parseActions(root);

        ImmutableMap.Builder<PolicyKind<?>, ImmutableList<?>> policies = ImmutableMap.builder();
        for (PolicyKind<?> kind : POLICY_KINDS) {
            policies.put(kind, parsePolicies(root, reads, kind, profileMap, actionMap.keySet()));
        }
        return new MailProxyConfiguration(profileMap, actionMap, policies.buildOrThrow(), proxyAuthority, reloadCheckInterval,
            inspectionThreads, SharedStateConfig.parse(new ConfigValues(root, "mailproxy")));
    }

    /**
     * The predefined read-only actions ({@link PredefinedProxyActions}) followed by every {@code <proxyActions><action>}.
     * Unlike TLS profiles, no file ever had to declare a predefined action, so even an identical redefinition is an
     * error: one name, one meaning, and an edited copy under the Standard name cannot hide.
     */
    private static ImmutableMap<String, ProxyActionDefinition> parseActions(
            HierarchicalConfiguration<ImmutableNode> root) throws ConfigurationException {
        Map<String, ProxyActionDefinition> actions = new LinkedHashMap<>(PredefinedProxyActions.definitions());
        int index = 0;
        for (HierarchicalConfiguration<ImmutableNode> action : root.configurationsAt("proxyActions.action")) {
            ConfigValues values = new ConfigValues(action, "mailproxy.proxyActions.action[" + index++ + "]");
            String name = values.requiredString("[@name]");
            if (PredefinedProxyActions.isPredefined(name)) {
                throw values.invalid("[@name]", name, "'" + name + "' is a predefined, read-only proxy action (defined in "
                    + PredefinedProxyActions.RESOURCE + " of the drop-in jar); copy its content into an <action name=\""
                    + name.substring(0, name.indexOf('.')) + ".MyCopy\">, change the copy and name it in the policies'"
                    + " <proxyAction>");
            }
            if (actions.containsKey(name)) {
                throw values.invalid("[@name]", name, "another <action> already has that name");
            }
            actions.put(name, ProxyActionDefinition.parse(name, action));
        }
        return ImmutableMap.copyOf(actions);
    }

    /**
     * Every {@code <tlsProfiles><profile>} with its {@code basedOn} chain resolved (in any order of declaration), plus
     * the predefined read-only Standard profiles. Redefining a predefined profile is an error unless the definition is
     * identical to it (old files listed them), which is only warned about.
     */
    private static ImmutableMap<String, TlsProfile> parseProfiles(HierarchicalConfiguration<ImmutableNode> root) throws ConfigurationException {
        Map<String, ConfigValues> declared = new LinkedHashMap<>();
        int index = 0;
        for (HierarchicalConfiguration<ImmutableNode> profile : root.configurationsAt("tlsProfiles.profile")) {
            ConfigValues values = new ConfigValues(profile, "mailproxy.tlsProfiles.profile[" + index++ + "]");
            String name = values.requiredString("[@name]");
            if (declared.put(name, values) != null) {
                throw values.invalid("[@name]", name, "another <profile> already has that name");
            }
        }
        Map<String, TlsProfile> resolved = new LinkedHashMap<>();
        TlsProfile.PREDEFINED.forEach(name -> resolved.put(name, TlsProfile.predefined(name).orElseThrow()));
        for (String name : declared.keySet()) {
            resolveProfile(name, declared, resolved, new LinkedHashSet<>());
        }
        return ImmutableMap.copyOf(resolved);
    }

    private static TlsProfile resolveProfile(String name, Map<String, ConfigValues> declared, Map<String, TlsProfile> resolved,
                                             Set<String> visiting) throws ConfigurationException {
        ConfigValues values = declared.get(name);
        if (TlsProfile.PREDEFINED.contains(name)) {
            TlsProfile predefined = TlsProfile.predefined(name).orElseThrow();
            if (values.optionalString("[@basedOn]").isPresent()
                || !TlsProfile.parse(values, predefined).sameSettingsAs(predefined)) {
                throw values.invalid("[@name]", name, "'" + name + "' is predefined and read-only; copy it with"
                    + " <profile name=\"My." + name.substring(4) + "\" basedOn=\"" + name + "\"> and change the copy");
            }
            LOGGER.warn("{}: the predefined profile {} is declared with its built-in values; the declaration is redundant",
                values.path(), name);
            return predefined;
        }
        if (resolved.containsKey(name)) {
            return resolved.get(name);
        }
        if (!visiting.add(name)) {
            throw values.invalid("[@basedOn]", values.string("[@basedOn]", ""), "profiles are based on each other in a cycle: "
                + String.join(" -> ", visiting) + " -> " + name);
        }
        Optional<String> basedOn = values.optionalString("[@basedOn]");
        TlsProfile base = TlsProfile.DEFAULT;
        if (basedOn.isPresent()) {
            if (TlsProfile.PREDEFINED.contains(basedOn.get())) {
                base = TlsProfile.predefined(basedOn.get()).orElseThrow();
            } else if (declared.containsKey(basedOn.get())) {
                base = resolveProfile(basedOn.get(), declared, resolved, visiting);
            } else {
                throw values.invalid("[@basedOn]", basedOn.get(), "no <profile> has that name; predefined: " + TlsProfile.PREDEFINED
                    + ", declared: " + declared.keySet());
            }
        }
        TlsProfile profile = TlsProfile.parse(values, base);
        if (profile.getPfs() == TlsProfile.Pfs.NONE) {
            LOGGER.warn("{}: TLS profile {} has pfs none: TLS 1.3 is off and only static-RSA key exchange is offered",
                values.path(), name);
        }
        resolved.put(name, profile);
        return profile;
    }

    /** Every enabled {@code <elementName>} of the file, parsed, with its proxy action checked to exist. */
    private static <P> ImmutableList<P> parsePolicies(HierarchicalConfiguration<ImmutableNode> root, ConfigurationReads reads,
                                                      PolicyKind<P> kind,
                                                      Map<String, TlsProfile> profiles, Set<String> actions) throws ConfigurationException {
        String elementName = kind.element();
        ImmutableList.Builder<P> policies = ImmutableList.builder();
        int index = 0;
        for (HierarchicalConfiguration<ImmutableNode> element : root.configurationsAt(elementName)) {
            ConfigValues values = new ConfigValues(element, "mailproxy." + elementName + "[" + index++ + "]");
            if (!values.bool("[@enabled]", true)) {
                // Not parsed, so not checked either: a disabled policy binds nothing and needs none of its files.
                reads.skip(element);
                continue;
            }
            P policy = kind.parser().parse(values, profiles);
            checkActionExists(values, kind.common().apply(policy), actions);
            policies.add(policy);
        }
        return policies.build();
    }

    private static void checkActionExists(ConfigValues values, ProxyPolicy policy, Set<String> actions) throws ConfigurationException {
        if (policy.getInspection().getProxyAction().isPresent()
            && !actions.contains(policy.getInspection().getProxyAction().get())) {
            throw values.invalid("proxyAction", policy.getInspection().getProxyAction().get(),
                "no <proxyActions><action name=\"...\"> has that name and no predefined action either; known: " + actions);
        }
    }

    private final ImmutableMap<String, TlsProfile> tlsProfiles;
    private final ImmutableMap<String, ProxyActionDefinition> proxyActions;
    /** Every kind of {@link #POLICY_KINDS}, with its enabled policies in file order. */
    private final ImmutableMap<PolicyKind<?>, ImmutableList<?>> policies;

    private final Optional<ProxyAuthorityConfig> proxyAuthority;
    private final Duration certificateReloadCheckInterval;
    private final int inspectionThreads;
    private final SharedStateConfig sharedState;

    private MailProxyConfiguration(ImmutableMap<String, TlsProfile> tlsProfiles,
                                   ImmutableMap<String, ProxyActionDefinition> proxyActions,
                                   ImmutableMap<PolicyKind<?>, ImmutableList<?>> policies,
                                   Optional<ProxyAuthorityConfig> proxyAuthority,
                                   Duration certificateReloadCheckInterval,
                                   int inspectionThreads, SharedStateConfig sharedState) {
        this.sharedState = sharedState;
        this.proxyAuthority = proxyAuthority;
        this.inspectionThreads = inspectionThreads;
        this.certificateReloadCheckInterval = certificateReloadCheckInterval;
        this.tlsProfiles = tlsProfiles;
        this.proxyActions = proxyActions;
        this.policies = policies;
    }

    /** The top-level {@code <proxyAuthority>}, when the file has one. */
    public Optional<ProxyAuthorityConfig> getProxyAuthority() {
        return proxyAuthority;
    }

    /**
     * {@code <certificateReloadCheckInterval>} (default 10s): how often, at most, a new connection checks whether the
     * Proxy Server certificate or Proxy Authority files changed.
     */
    public Duration getCertificateReloadCheckInterval() {
        return certificateReloadCheckInterval;
    }

    /**
     * {@code <inspectionThreads>} (1 to 1024, default {@link #defaultInspectionThreads()}): the pool that runs the proxy
     * actions for every policy.
     */
    public int getInspectionThreads() {
        return inspectionThreads;
    }

    /** {@code <sharedState>}: where the policy rules keep their state (in memory unless Redis is configured). */
    public SharedStateConfig getSharedState() {
        return sharedState;
    }

    /** Every profile by name, the predefined Standard ones included. */
    public Map<String, TlsProfile> getTlsProfiles() {
        return tlsProfiles;
    }

    /** Every proxy action by name: the predefined read-only ones ({@link PredefinedProxyActions}), then the file's. */
    public Map<String, ProxyActionDefinition> getProxyActions() {
        return proxyActions;
    }

    /** The enabled policies of one kind, in file order. */
    @SuppressWarnings("unchecked")
    public <P> List<P> policies(PolicyKind<P> kind) {
        return (List<P>) policies.getOrDefault(kind, ImmutableList.of());
    }

    /** The protocol-independent part of every enabled policy, kind by kind in {@link #POLICY_KINDS} order. */
    public List<ProxyPolicy> commonPolicies() {
        ImmutableList.Builder<ProxyPolicy> all = ImmutableList.builder();
        POLICY_KINDS.forEach(kind -> addCommon(kind, all));
        return all.build();
    }

    private <P> void addCommon(PolicyKind<P> kind, ImmutableList.Builder<ProxyPolicy> all) {
        policies(kind).forEach(policy -> all.add(kind.common().apply(policy)));
    }

    public List<ImapPolicy> getImapPolicies() {
        return policies(ImapPolicy.KIND);
    }

    public List<SmtpPolicy> getSmtpPolicies() {
        return policies(SmtpPolicy.KIND);
    }

    public List<Pop3Policy> getPop3Policies() {
        return policies(Pop3Policy.KIND);
    }

    public boolean isEmpty() {
        return policies.values().stream().allMatch(List::isEmpty);
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof MailProxyConfiguration) {
            MailProxyConfiguration that = (MailProxyConfiguration) o;
            return Objects.equals(tlsProfiles, that.tlsProfiles)
                && Objects.equals(proxyAuthority, that.proxyAuthority)
                && Objects.equals(certificateReloadCheckInterval, that.certificateReloadCheckInterval)
                && inspectionThreads == that.inspectionThreads
                && Objects.equals(proxyActions, that.proxyActions)
                && Objects.equals(policies, that.policies)
                && Objects.equals(sharedState, that.sharedState);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(tlsProfiles, proxyAuthority, certificateReloadCheckInterval, inspectionThreads, proxyActions, policies);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("tlsProfiles", tlsProfiles.keySet())
            .add("proxyActions", proxyActions.keySet())
            .add("policies", policies)
            .toString();
    }
}
