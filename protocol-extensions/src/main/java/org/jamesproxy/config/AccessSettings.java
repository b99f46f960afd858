package org.jamesproxy.config;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.jamesproxy.policy.AccessPolicy;
import org.jamesproxy.policy.AccessRule;
import org.jamesproxy.policy.AccessRules;
import org.jamesproxy.policy.AddressRange;
import org.jamesproxy.policy.Disposition;
import org.jamesproxy.policy.OperatingSchedule;

import com.google.common.collect.ImmutableList;

/**
 * Parses a policy's connection rules:
 * <pre>{@code
 * <access>
 *   <rule name="office" from="10.0.0.0/8, 192.0.2.10-192.0.2.20" disposition="allowed"/>
 *   <rule name="scanners" from="198.51.100.0/24" disposition="denied-reset" autoBlock="true"/>
 *   <default disposition="allowed"/>
 * </access>
 * <autoBlock enabled="true" duration="20m" exceptions="127.0.0.1" onBlockVerdict="true">
 *   <failedLogins perSource="5" perUser="10" within="10m"/>
 * </autoBlock>
 * <rateLimits connectionsPerSecond="10" connectionsPerMinute="120" autoBlock="false"/>
 * <schedule zone="Europe/Paris" refusal="denied">
 *   <window days="mon-fri" hours="07:00-20:00"/>
 * </schedule>
 * }</pre>
 * Every element is optional; without them a policy accepts every client at any time.
 */
final class AccessSettings {
    private AccessSettings() {
    }

    static AccessPolicy parse(ConfigValues policy) throws ConfigurationException {
        AccessRules rules = policy.has("access") ? rules(policy.child("access", "access")) : AccessRules.ALLOW_ALL;
        AccessPolicy.AutoBlock autoBlock = policy.has("autoBlock") ? autoBlock(policy.child("autoBlock", "autoBlock"))
            : AccessPolicy.AutoBlock.OFF;
        AccessPolicy.RateLimits rates = policy.has("rateLimits") ? rates(policy.child("rateLimits", "rateLimits"))
            : AccessPolicy.RateLimits.NONE;
        OperatingSchedule schedule = OperatingSchedule.ALWAYS;
        Disposition refusal = Disposition.DENIED;
        if (policy.has("schedule")) {
            ConfigValues element = policy.child("schedule", "schedule");
            schedule = schedule(element);
            refusal = disposition(element, "[@refusal]", "denied");
        }
        boolean feedsBlockList = rules.rules().stream().anyMatch(AccessRule::autoBlock) || rules.defaultRule().autoBlock()
            || rates.autoBlock();
        if (feedsBlockList && !autoBlock.enabled()) {
            throw new ConfigurationException(policy.path("autoBlock") + " is required (enabled=\"true\" with a duration)"
                + " when an access rule or rateLimits has autoBlock=\"true\"");
        }
        return new AccessPolicy(rules, autoBlock, rates, schedule, refusal);
    }

    private static AccessRules rules(ConfigValues access) throws ConfigurationException {
        ImmutableList.Builder<AccessRule> rules = ImmutableList.builder();
        List<HierarchicalConfiguration<ImmutableNode>> elements = access.raw().configurationsAt("rule");
        for (int index = 0; index < elements.size(); index++) {
            ConfigValues rule = new ConfigValues(elements.get(index), access.path("rule[" + index + "]"));
            String name = rule.string("[@name]", "rule " + (index + 1));
            Disposition disposition = disposition(rule, "[@disposition]", null);
            ImmutableList<String> to = members(rule);
            if (!to.isEmpty() && disposition != Disposition.ALLOWED) {
                throw rule.invalid("[@to]", String.join(", ", to), "a To list only goes with disposition=\"allowed\"");
            }
            rules.add(new AccessRule(name, ranges(rule, "[@from]", true), disposition, rule.bool("[@autoBlock]", false), to));
        }
        AccessRule defaultRule = AccessRules.ALLOW_ALL.defaultRule();
        if (access.has("default")) {
            ConfigValues element = access.child("default", "default");
            defaultRule = new AccessRule("default", ImmutableList.of(AddressRange.any()),
                disposition(element, "[@disposition]", null), element.bool("[@autoBlock]", false));
        }
        return new AccessRules(rules.build(), defaultRule);
    }

    /** {@code to="imap-a.internal:993, imap-b.internal:993"}: members of the policy's pool, checked against it later. */
    private static ImmutableList<String> members(ConfigValues rule) {
        return java.util.Arrays.stream(rule.string("[@to]", "").split("[,\\s]+"))
            .filter(member -> !member.isBlank())
            .collect(ImmutableList.toImmutableList());
    }

    /** Every To list names members of the pool (parsed after the rules, so checked here). */
    static void checkToLists(ConfigValues policy, AccessPolicy access, java.util.Optional<UpstreamPool> pool)
        throws ConfigurationException {
        java.util.Set<String> ids = pool.map(found -> found.members().stream().map(UpstreamPool.Member::id)
            .collect(java.util.stream.Collectors.toSet())).orElse(java.util.Set.of());
        for (AccessRule rule : access.rules().rules()) {
            for (String member : rule.to()) {
                if (!ids.contains(member)) {
                    throw policy.invalid("access.rule[@to]", member, pool.isEmpty()
                        ? "a To list needs <upstream><pool>" : "not a member of the pool (host:port), known: " + ids);
                }
            }
        }
    }

    private static AccessPolicy.AutoBlock autoBlock(ConfigValues element) throws ConfigurationException {
        int perSource = 0;
        int perUser = 0;
        java.time.Duration within = AccessPolicy.AutoBlock.OFF.failedLoginWindow();
        if (element.has("failedLogins")) {
            ConfigValues logins = element.child("failedLogins", "failedLogins");
            perSource = logins.integer("[@perSource]", 0, 0, 1_000_000);
            perUser = logins.integer("[@perUser]", 0, 0, 1_000_000);
            within = logins.duration("[@within]", "10m");
        }
        return new AccessPolicy.AutoBlock(element.bool("[@enabled]", true), element.duration("[@duration]", "20m"),
            element.has("[@exceptions]") ? ranges(element, "[@exceptions]", false) : ImmutableList.of(),
            element.bool("[@onBlockVerdict]", true), perSource, perUser, within);
    }

    private static AccessPolicy.RateLimits rates(ConfigValues element) throws ConfigurationException {
        return new AccessPolicy.RateLimits(element.integer("[@connectionsPerSecond]", 0, 0, 1_000_000),
            element.integer("[@connectionsPerMinute]", 0, 0, 100_000_000), element.bool("[@autoBlock]", false));
    }

    private static OperatingSchedule schedule(ConfigValues element) throws ConfigurationException {
        String zoneName = element.string("[@zone]", "UTC");
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneName);
        } catch (DateTimeException e) {
            throw element.invalid("[@zone]", zoneName, "a time zone such as UTC or Europe/Paris");
        }
        ImmutableList.Builder<OperatingSchedule.Window> windows = ImmutableList.builder();
        List<HierarchicalConfiguration<ImmutableNode>> elements = element.raw().configurationsAt("window");
        if (elements.isEmpty()) {
            throw new ConfigurationException(element.path() + " needs at least one <window days=\"mon-fri\" hours=\"08:00-18:00\"/>");
        }
        for (int index = 0; index < elements.size(); index++) {
            ConfigValues window = new ConfigValues(elements.get(index), element.path("window[" + index + "]"));
            String days = window.requiredString("[@days]");
            String hours = window.string("[@hours]", "*");
            try {
                windows.add(OperatingSchedule.Window.parse(days, hours));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(window.path() + ": " + e.getMessage());
            }
        }
        return new OperatingSchedule(zone, windows.build());
    }

    private static ImmutableList<AddressRange> ranges(ConfigValues element, String key, boolean required)
        throws ConfigurationException {
        String text = required ? element.requiredString(key) : element.string(key, "");
        ImmutableList.Builder<AddressRange> ranges = ImmutableList.builder();
        for (String item : text.split("[,\\s]+")) {
            if (item.isBlank()) {
                continue;
            }
            try {
                ranges.add(AddressRange.parse(item));
            } catch (IllegalArgumentException e) {
                throw element.invalid(key, text, e.getMessage());
            }
        }
        return ranges.build();
    }

    private static Disposition disposition(ConfigValues element, String key, String defaultValue)
        throws ConfigurationException {
        String text = defaultValue == null ? element.requiredString(key) : element.string(key, defaultValue);
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "allowed", "allow" -> Disposition.ALLOWED;
            case "denied", "deny" -> Disposition.DENIED;
            case "denied-reset", "deny-reset", "reset" -> Disposition.DENIED_RESET;
            default -> throw element.invalid(key, text, "allowed, denied or denied-reset");
        };
    }
}
