package org.jamesproxy.inspection;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.apache.mailet.Mailet;
import org.apache.mailet.MailetConfig;
import org.apache.mailet.Matcher;
import org.apache.mailet.base.MatcherInverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;

/**
 * A named, ordered list of matcher/mailet steps: the proxy's counterpart of a James processor. The steps hold
 * initialised James {@link Matcher}s and {@link Mailet}s, which James requires to be thread-safe, so one action is
 * shared by every connection of the policies that use it.
 */
public final class ProxyAction {
    private static final Logger LOGGER = LoggerFactory.getLogger(ProxyAction.class);

    /** One {@code <mailet match=... | notmatch=... class=...>} element. */
    public static final class Step {
        /** The mailet runs when {@code matcher} matches at least one recipient. */
        public static Step matching(Matcher matcher, Mailet mailet) {
            return new Step(matcher, false, mailet);
        }

        /** The mailet runs when {@code matcher} leaves at least one recipient unmatched (James's {@code notmatch}). */
        public static Step notMatching(Matcher matcher, Mailet mailet) {
            return new Step(matcher, true, mailet);
        }

        private final Matcher matcher;
        private final boolean negated;
        private final Mailet mailet;
        // Computed once: the inverter is stateless, so sharing it is safe.
        private final Matcher effectiveMatcher;

        private Step(Matcher matcher, boolean negated, Mailet mailet) {
            this.matcher = Objects.requireNonNull(matcher, "matcher");
            this.negated = negated;
            this.mailet = Objects.requireNonNull(mailet, "mailet");
            this.effectiveMatcher = negated ? new MatcherInverter(matcher) : matcher;
        }

        /** The configured matcher, before any {@code notmatch} inversion. */
        public Matcher getMatcher() {
            return matcher;
        }

        public boolean isNegated() {
            return negated;
        }

        public Mailet getMailet() {
            return mailet;
        }

        /** The matcher to call: the configured one, inverted for {@code notmatch}. */
        public Matcher effectiveMatcher() {
            return effectiveMatcher;
        }

        /** The mailet name as configured ({@code class} attribute), else its simple class name. */
        public String mailetName() {
            return Optional.ofNullable(mailet.getMailetConfig())
                .map(MailetConfig::getMailetName)
                .orElse(mailet.getClass().getSimpleName());
        }

        /** The matcher as configured, e.g. {@code HasHeader=X-Foo}, prefixed with {@code !} for {@code notmatch}. */
        public String matcherName() {
            String name = Optional.ofNullable(matcher.getMatcherConfig())
                .map(config -> Optional.ofNullable(config.getMatcherName()).orElse(matcher.getClass().getSimpleName())
                    + Optional.ofNullable(config.getCondition()).map(condition -> "=" + condition).orElse(""))
                .orElse(matcher.getClass().getSimpleName());
            return negated ? "!" + name : name;
        }

        @Override
        public final boolean equals(Object o) {
            if (o instanceof Step) {
                Step that = (Step) o;
                return negated == that.negated
                    && Objects.equals(matcher, that.matcher)
                    && Objects.equals(mailet, that.mailet);
            }
            return false;
        }

        @Override
        public final int hashCode() {
            return Objects.hash(matcher, negated, mailet);
        }

        @Override
        public String toString() {
            return matcherName() + " -> " + mailetName();
        }
    }

    public static ProxyAction empty(String name) {
        return new ProxyAction(name, ImmutableList.of());
    }

    public static ProxyAction of(String name, List<Step> steps) {
        return new ProxyAction(name, ImmutableList.copyOf(steps));
    }

    private final String name;
    private final ImmutableList<Step> steps;

    private ProxyAction(String name, ImmutableList<Step> steps) {
        Preconditions.checkArgument(name != null && !name.isBlank(), "a proxy action needs a name");
        this.name = name;
        this.steps = steps;
    }

    public String getName() {
        return name;
    }

    public ImmutableList<Step> getSteps() {
        return steps;
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /**
     * Calls {@code destroy()} on every matcher and mailet, as James does when a processor stops. The action must not
     * be used afterwards. Failures are logged, so that one bad mailet does not keep the others alive.
     */
    public void destroy() {
        // A named composite matcher may be shared by several steps: destroy each instance once.
        Set<Object> destroyed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Step step : steps) {
            if (destroyed.add(step.getMatcher())) {
                destroyQuietly(step.matcherName(), step.getMatcher()::destroy);
            }
            if (destroyed.add(step.getMailet())) {
                destroyQuietly(step.mailetName(), step.getMailet()::destroy);
            }
        }
    }

    private void destroyQuietly(String what, Runnable destroy) {
        try {
            destroy.run();
        } catch (RuntimeException e) {
            LOGGER.warn("Proxy action {}: destroying {} failed", name, what, e);
        }
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof ProxyAction) {
            ProxyAction that = (ProxyAction) o;
            return Objects.equals(name, that.name)
                && Objects.equals(steps, that.steps);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(name, steps);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("name", name)
            .add("steps", steps)
            .toString();
    }
}
