package org.jamesproxy.mime;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

import org.apache.mailet.MailetException;
import org.jamesproxy.mailet.action.RuleAction;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;

/**
 * An ordered list of {@code pattern[, pattern...] = action} rules, as written in a mailet's {@code rules} parameter.
 * <p>
 * Syntax: entries separated by {@code ;} or line breaks; in each entry the patterns (globs, see {@link Glob}) are
 * separated by {@code ,} and the action (a {@link RuleAction} word) follows the last {@code =}. Blank entries are
 * ignored, so a trailing {@code ;} is fine. A pattern therefore cannot contain {@code , ; =} or a line break.
 * <p>
 * Lookup: for one candidate (a type, a filename) the <em>first</em> rule with a matching pattern decides. An item
 * with several candidates (declared and detected type, several filenames) is looked up once per candidate and the
 * most severe outcome counts ({@link #decide}), so a harmless-looking label cannot shadow a harmful one.
 */
public final class RuleList {
    public static final class Rule {
        private final ImmutableList<Glob> patterns;
        private final RuleAction action;
        private final String text;

        private Rule(ImmutableList<Glob> patterns, RuleAction action, String text) {
            this.patterns = patterns;
            this.action = action;
            this.text = text;
        }

        public boolean matches(String candidate) {
            return patterns.stream().anyMatch(pattern -> pattern.matches(candidate));
        }

        public RuleAction getAction() {
            return action;
        }

        public List<Glob> getPatterns() {
            return patterns;
        }

        /** The entry as written (trimmed), for reasons and logs. */
        @Override
        public String toString() {
            return text;
        }
    }

    /** The outcome for one item: the rule that decided and the candidate it matched. */
    public static final class Decision {
        private final Rule rule;
        private final String candidate;

        private Decision(Rule rule, String candidate) {
            this.rule = rule;
            this.candidate = candidate;
        }

        public Rule getRule() {
            return rule;
        }

        public RuleAction getAction() {
            return rule.getAction();
        }

        public String getCandidate() {
            return candidate;
        }
    }

    /**
     * @param patternCheck says why a pattern is invalid for this kind of rule (empty when valid)
     */
    public static RuleList parse(String mailetName, String parameter, String value,
                                 Function<String, Optional<String>> patternCheck) throws MailetException {
        ImmutableList.Builder<Rule> rules = ImmutableList.builder();
        for (String entry : Splitter.onPattern("[;\\r\\n]").trimResults().omitEmptyStrings().split(value)) {
            int equals = entry.lastIndexOf('=');
            if (equals < 0) {
                throw error(mailetName, parameter, entry, "expected 'pattern[, pattern...] = action'");
            }
            String actionWord = entry.substring(equals + 1).trim();
            RuleAction action = RuleAction.parse(actionWord)
                .orElseThrow(() -> error(mailetName, parameter, entry, "unknown action '" + actionWord + "' (one of "
                    + actionWords() + ")"));
            ImmutableList.Builder<Glob> patterns = ImmutableList.builder();
            List<String> texts = Splitter.on(',').trimResults().omitEmptyStrings().splitToList(entry.substring(0, equals));
            if (texts.isEmpty()) {
                throw error(mailetName, parameter, entry, "no pattern before '='");
            }
            for (String text : texts) {
                Optional<String> problem = patternCheck.apply(text);
                if (problem.isPresent()) {
                    throw error(mailetName, parameter, entry, "pattern '" + text + "': " + problem.get());
                }
                patterns.add(Glob.of(text));
            }
            rules.add(new Rule(patterns.build(), action, entry));
        }
        ImmutableList<Rule> built = rules.build();
        if (built.isEmpty()) {
            throw new MailetException(mailetName + ": parameter '" + parameter + "' holds no rule: '" + value + "'");
        }
        return new RuleList(built);
    }

    private static String actionWords() {
        return String.join(", ", Stream.of(RuleAction.values()).map(RuleAction::value)
            .collect(ImmutableList.toImmutableList())) + ", lock";
    }

    private static MailetException error(String mailetName, String parameter, String entry, String why) {
        return new MailetException(mailetName + ": invalid rule '" + entry + "' in parameter '" + parameter + "': " + why);
    }

    private final ImmutableList<Rule> rules;

    private RuleList(ImmutableList<Rule> rules) {
        this.rules = rules;
    }

    public List<Rule> getRules() {
        return rules;
    }

    public Optional<Rule> firstMatch(String candidate) {
        return rules.stream().filter(rule -> rule.matches(candidate)).findFirst();
    }

    /** Each candidate looked up on its own; the most severe outcome wins (the first candidate on a tie). */
    public Optional<Decision> decide(Collection<String> candidates) {
        Decision worst = null;
        for (String candidate : candidates) {
            Optional<Rule> rule = firstMatch(candidate);
            if (rule.isPresent() && (worst == null || rule.get().getAction().isMoreSevereThan(worst.getAction()))) {
                worst = new Decision(rule.get(), candidate);
            }
        }
        return Optional.ofNullable(worst);
    }

}
