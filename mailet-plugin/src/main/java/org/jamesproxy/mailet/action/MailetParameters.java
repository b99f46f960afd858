package org.jamesproxy.mailet.action;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.mailet.MailetConfig;
import org.apache.mailet.MailetException;
import org.jamesproxy.values.InvalidValueException;
import org.jamesproxy.values.TypedValues;

/**
 * Reads a rule mailet's typed parameters once, at init, for every rule (and the common parameters of
 * {@link FindingsExecutor}); every error names the mailet, the parameter and the bad value. A blank value counts as
 * absent. The text-to-value rules are {@link TypedValues}'s, shared with conf/mailproxy.xml: sizes take {@code K},
 * {@code M} or {@code G} (powers of 1024, James's {@code Size}); durations a unit ({@code 500ms}, {@code 30s},
 * {@code 2m}; a bare number is seconds).
 */
public final class MailetParameters {
    private final MailetConfig config;

    public MailetParameters(MailetConfig config) {
        this.config = config;
    }

    public String mailetName() {
        return config.getMailetName();
    }

    public Optional<String> string(String name) {
        return TypedValues.text(config.getInitParameter(name));
    }

    public String required(String name, String what) throws MailetException {
        return string(name)
            .orElseThrow(() -> new MailetException(mailetName() + ": missing required parameter '" + name + "' (" + what + ")"));
    }

    public boolean bool(String name, boolean defaultValue) throws MailetException {
        return parse(name, TypedValues::bool).orElse(defaultValue);
    }

    public int integer(String name, int defaultValue, int min, int max) throws MailetException {
        return parse(name, value -> TypedValues.integer(value, min, max)).orElse(defaultValue);
    }

    /** A positive whole number. */
    public int positiveInt(String name, int defaultValue) throws MailetException {
        return integer(name, defaultValue, 1, Integer.MAX_VALUE);
    }

    /** A positive size in bytes, as James writes sizes ({@link TypedValues#size(String)}): 1048576, 512K, 64M. */
    public long size(String name, long defaultValue) throws MailetException {
        return parse(name, TypedValues::size).orElse(defaultValue);
    }

    /** A positive duration. */
    public Duration duration(String name, Duration defaultValue) throws MailetException {
        return parse(name, TypedValues::duration).orElse(defaultValue);
    }

    /** A finite decimal number, when given. */
    public Optional<Double> decimal(String name) throws MailetException {
        return parse(name, TypedValues::decimal);
    }

    public RuleAction action(String name, RuleAction defaultValue) throws MailetException {
        return action(name, defaultValue, Set.of(RuleAction.values()));
    }

    /** One of {@code allowed}: a rule says which actions make sense for it. */
    public RuleAction action(String name, RuleAction defaultValue, Set<RuleAction> allowed) throws MailetException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return RuleAction.parse(value.get())
            .filter(allowed::contains)
            .orElseThrow(() -> invalid(name, value.get(), "expected one of " + allowed.stream()
                .sorted()
                .map(RuleAction::value)
                .collect(Collectors.joining(", "))));
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(String value) throws InvalidValueException;
    }

    /** The parameter's value parsed, empty when absent or blank; a bad value names the mailet and the parameter. */
    private <T> Optional<T> parse(String name, Parser<T> parser) throws MailetException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.parse(value.get()));
        } catch (InvalidValueException e) {
            throw invalid(name, e.getValue(), e.getExpectation());
        }
    }

    public MailetException invalid(String name, String value, String why) {
        return new MailetException(mailetName() + ": invalid value '" + value + "' for parameter '" + name + "': " + why);
    }
}
