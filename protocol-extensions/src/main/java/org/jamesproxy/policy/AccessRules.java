package org.jamesproxy.policy;

import java.net.InetAddress;
import java.util.List;

import com.google.common.collect.ImmutableList;

/** A policy's access list: the first rule whose From list holds the client decides; none → the default rule. */
public final class AccessRules {
    public static final AccessRules ALLOW_ALL = new AccessRules(ImmutableList.of(),
        new AccessRule("default", ImmutableList.of(AddressRange.any()), Disposition.ALLOWED, false));

    private final ImmutableList<AccessRule> rules;
    private final AccessRule defaultRule;
    /** Built once: a lookup is O(log n) whatever the number of rules. */
    private final RangeIndex index;

    public AccessRules(List<AccessRule> rules, AccessRule defaultRule) {
        this.rules = ImmutableList.copyOf(rules);
        this.defaultRule = defaultRule;
        this.index = RangeIndex.of(this.rules);
    }

    public AccessRule match(InetAddress client) {
        int first = index.firstMatch(AddressRange.Client.of(client));
        return first < 0 ? defaultRule : rules.get(first);
    }

    public List<AccessRule> rules() {
        return rules;
    }

    public AccessRule defaultRule() {
        return defaultRule;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessRules that && rules.equals(that.rules) && defaultRule.equals(that.defaultRule);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(rules, defaultRule);
    }
}
