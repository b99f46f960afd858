package org.jamesproxy.config;

import java.util.List;
import java.util.Objects;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * The TLS action per destination: a default and per-domain overrides, the first matching override wins.
 * <pre>{@code
 * <tlsAction>
 *   <default>inspect</default>
 *   <domain pattern="*.bank.example">allow</domain>
 *   <domain pattern="tracker.example">drop</domain>
 * </tlsAction>
 * }</pre>
 */
public final class TlsActionRules {
    public static final TlsActionRules INSPECT_ALL = new TlsActionRules(TlsAction.INSPECT, ImmutableList.of());

    /** One override: names matching {@code pattern} get {@code action}. */
    public static final class Rule {
        private final DomainPattern pattern;
        private final TlsAction action;

        public Rule(DomainPattern pattern, TlsAction action) {
            this.pattern = pattern;
            this.action = action;
        }

        public DomainPattern getPattern() {
            return pattern;
        }

        public TlsAction getAction() {
            return action;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Rule && pattern.equals(((Rule) o).pattern) && action == ((Rule) o).action;
        }

        @Override
        public int hashCode() {
            return Objects.hash(pattern, action);
        }

        @Override
        public String toString() {
            return pattern + "=" + action;
        }
    }

    /** @param values the {@code <tlsAction>} element */
    public static TlsActionRules parse(ConfigValues values) throws ConfigurationException {
        TlsAction defaultAction = values.enumValue("default", TlsAction.class, TlsAction.INSPECT);
        ImmutableList.Builder<Rule> rules = ImmutableList.builder();
        int count = values.raw().configurationsAt("domain").size();
        for (int index = 0; index < count; index++) {
            String key = "domain(" + index + ")";
            String pattern = values.optionalString(key + "[@pattern]")
                .orElseThrow(() -> new ConfigurationException(values.path(key) + ": the pattern attribute is required"));
            String action = values.optionalString(key)
                .orElseThrow(() -> new ConfigurationException(values.path(key) + " needs an action: inspect, allow or drop"));
            rules.add(new Rule(DomainPattern.parse(values, key + "[@pattern]", pattern), values.parseEnum(key, action, TlsAction.class)));
        }
        return new TlsActionRules(defaultAction, rules.build());
    }

    private final TlsAction defaultAction;
    private final ImmutableList<Rule> rules;

    public TlsActionRules(TlsAction defaultAction, List<Rule> rules) {
        this.defaultAction = defaultAction;
        this.rules = ImmutableList.copyOf(rules);
    }

    /** @param hostName lower case */
    public TlsAction actionFor(String hostName) {
        return rules.stream()
            .filter(rule -> rule.pattern.matches(hostName))
            .map(Rule::getAction)
            .findFirst()
            .orElse(defaultAction);
    }

    public TlsAction getDefaultAction() {
        return defaultAction;
    }

    public List<Rule> getRules() {
        return rules;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsActionRules && defaultAction == ((TlsActionRules) o).defaultAction
            && rules.equals(((TlsActionRules) o).rules);
    }

    @Override
    public int hashCode() {
        return Objects.hash(defaultAction, rules);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("default", defaultAction).add("rules", rules).toString();
    }
}
