package org.jamesproxy.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * An {@code <smtpproxy>} element: the shared policy plus the SMTP rules. The upstream leg defaults to STARTTLS on
 * port 25 (465 for implicit TLS); a submission policy on 587 is one more element with other binds.
 */
public final class SmtpPolicy {
    public static final ProxyPolicy.DefaultPorts PORTS = new ProxyPolicy.DefaultPorts(25, 465, UpstreamTls.STARTTLS);
    public static final PolicyKind<SmtpPolicy> KIND = new PolicyKind<>("smtpproxy", SmtpPolicy::parse, SmtpPolicy::getPolicy);

    /** Allow/deny regular expressions for one envelope address (matched case-insensitively against the bare address). */
    public static final class AddressRules {
        static AddressRules parse(ConfigValues element, String key) throws ConfigurationException {
            return new AddressRules(patterns(element, key + ".allow"), patterns(element, key + ".deny"));
        }

        private static ImmutableList<Pattern> patterns(ConfigValues element, String key) throws ConfigurationException {
            ImmutableList.Builder<Pattern> patterns = ImmutableList.builder();
            for (String regex : element.raw().getList(String.class, key, List.of())) {
                try {
                    patterns.add(Pattern.compile(regex.trim(), Pattern.CASE_INSENSITIVE));
                } catch (PatternSyntaxException e) {
                    throw element.invalid(key, regex, "not a regular expression: " + e.getDescription());
                }
            }
            return patterns.build();
        }

        public static final AddressRules NONE = new AddressRules(ImmutableList.of(), ImmutableList.of());

        private final ImmutableList<Pattern> allow;
        private final ImmutableList<Pattern> deny;

        public AddressRules(ImmutableList<Pattern> allow, ImmutableList<Pattern> deny) {
            this.allow = allow;
            this.deny = deny;
        }

        public boolean denies(String address) {
            return deny.stream().anyMatch(pattern -> pattern.matcher(address).matches());
        }

        /** Deny wins; with allow patterns, an address must match one of them. */
        public boolean permits(String address) {
            if (denies(address)) {
                return false;
            }
            return allow.isEmpty() || allow.stream().anyMatch(pattern -> pattern.matcher(address).matches());
        }

        private List<String> sources(List<Pattern> patterns) {
            return patterns.stream().map(Pattern::pattern).collect(ImmutableList.toImmutableList());
        }

        @Override
        public final boolean equals(Object o) {
            if (o instanceof AddressRules) {
                AddressRules that = (AddressRules) o;
                return sources(allow).equals(sources(that.allow)) && sources(deny).equals(sources(that.deny));
            }
            return false;
        }

        @Override
        public final int hashCode() {
            return Objects.hash(sources(allow), sources(deny));
        }

        @Override
        public String toString() {
            return MoreObjects.toStringHelper(this).add("allow", sources(allow)).add("deny", sources(deny)).toString();
        }
    }

    public static SmtpPolicy parse(ConfigValues element, Map<String, TlsProfile> profiles) throws ConfigurationException {
        ProxyPolicy policy = ProxyPolicy.parse(element, profiles, PORTS, "smtpproxy");
        boolean opportunistic = element.bool("upstream.opportunisticStartTls", false);
        if (opportunistic && policy.getUpstream().getTls() != UpstreamTls.STARTTLS) {
            throw element.invalid("upstream.opportunisticStartTls", "true",
                "only meaningful with <tls>starttls</tls> toward the upstream");
        }
        return new SmtpPolicy(policy, opportunistic,
            element.size("limits.maxMessageSize", "25M"),
            element.integer("limits.maxRecipients", 100, 1, 100_000),
            (int) Math.min(Integer.MAX_VALUE, element.size("limits.maxUpstreamLineLength", "64K")),
            element.integer("limits.maxPipelinedCommands", 100, 1, 10_000),
            element.bool("rules.requireHelo", true),
            element.bool("rules.blockSourceRoutes", true),
            AddressRules.parse(element, "rules.mailFrom"),
            AddressRules.parse(element, "rules.rcptTo"));
    }

    private final ProxyPolicy policy;
    private final boolean opportunisticStartTls;
    private final long maxMessageSize;
    private final int maxRecipients;
    private final int maxUpstreamLineLength;
    private final int maxPipelinedCommands;
    private final boolean requireHelo;
    private final boolean blockSourceRoutes;
    private final AddressRules mailFrom;
    private final AddressRules rcptTo;

    /** The SMTP limits the session had as constants: 64K upstream lines, 100 pipelined commands. */
    public SmtpPolicy(ProxyPolicy policy, boolean opportunisticStartTls, long maxMessageSize, int maxRecipients,
                      boolean requireHelo, boolean blockSourceRoutes, AddressRules mailFrom, AddressRules rcptTo) {
        this(policy, opportunisticStartTls, maxMessageSize, maxRecipients, 64 * 1024, 100, requireHelo, blockSourceRoutes,
            mailFrom, rcptTo);
    }

    public SmtpPolicy(ProxyPolicy policy, boolean opportunisticStartTls, long maxMessageSize, int maxRecipients,
                      int maxUpstreamLineLength, int maxPipelinedCommands, boolean requireHelo, boolean blockSourceRoutes,
                      AddressRules mailFrom, AddressRules rcptTo) {
        this.policy = policy;
        this.maxUpstreamLineLength = maxUpstreamLineLength;
        this.maxPipelinedCommands = maxPipelinedCommands;
        this.opportunisticStartTls = opportunisticStartTls;
        this.maxMessageSize = maxMessageSize;
        this.maxRecipients = maxRecipients;
        this.requireHelo = requireHelo;
        this.blockSourceRoutes = blockSourceRoutes;
        this.mailFrom = mailFrom;
        this.rcptTo = rcptTo;
    }

    public ProxyPolicy getPolicy() {
        return policy;
    }

    /** STARTTLS toward the upstream when offered, clear text (logged) when not: port-25 MX relaying. */
    public boolean isOpportunisticStartTls() {
        return opportunisticStartTls;
    }

    /** Advertised in SIZE and enforced; also the bound of the in-memory copy of a message. */
    public long getMaxMessageSize() {
        return maxMessageSize;
    }

    public int getMaxRecipients() {
        return maxRecipients;
    }

    /**
     * {@code <limits><maxUpstreamLineLength>} (default 64K): longest reply line accepted from the mail server; a longer
     * one counts as a lost upstream ({@code 421 4.4.2}).
     */
    public int getMaxUpstreamLineLength() {
        return maxUpstreamLineLength;
    }

    /**
     * {@code <limits><maxPipelinedCommands>} (default 100): commands relayed ahead of the mail server's replies; at the
     * limit the proxy stops reading from the client until replies come back (back-pressure, nothing is refused).
     */
    public int getMaxPipelinedCommands() {
        return maxPipelinedCommands;
    }

    public boolean isRequireHelo() {
        return requireHelo;
    }

    public boolean isBlockSourceRoutes() {
        return blockSourceRoutes;
    }

    public AddressRules getMailFrom() {
        return mailFrom;
    }

    public AddressRules getRcptTo() {
        return rcptTo;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof SmtpPolicy) {
            SmtpPolicy that = (SmtpPolicy) o;
            return opportunisticStartTls == that.opportunisticStartTls
                && maxMessageSize == that.maxMessageSize
                && maxRecipients == that.maxRecipients
                && maxUpstreamLineLength == that.maxUpstreamLineLength
                && maxPipelinedCommands == that.maxPipelinedCommands
                && requireHelo == that.requireHelo
                && blockSourceRoutes == that.blockSourceRoutes
                && Objects.equals(policy, that.policy)
                && Objects.equals(mailFrom, that.mailFrom)
                && Objects.equals(rcptTo, that.rcptTo);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(policy, opportunisticStartTls, maxMessageSize, maxRecipients, maxUpstreamLineLength,
            maxPipelinedCommands, requireHelo, blockSourceRoutes, mailFrom, rcptTo);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("policy", policy)
            .add("opportunisticStartTls", opportunisticStartTls)
            .add("maxMessageSize", maxMessageSize)
            .add("maxRecipients", maxRecipients)
            .add("maxUpstreamLineLength", maxUpstreamLineLength)
            .add("maxPipelinedCommands", maxPipelinedCommands)
            .add("requireHelo", requireHelo)
            .add("blockSourceRoutes", blockSourceRoutes)
            .add("mailFrom", mailFrom)
            .add("rcptTo", rcptTo)
            .toString();
    }
}
