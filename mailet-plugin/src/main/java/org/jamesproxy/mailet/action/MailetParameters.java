package org.jamesproxy.mailet.action;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.james.util.DurationParser;
import org.apache.mailet.MailetConfig;
import org.apache.mailet.MailetException;

/**
 * Reads a rule mailet's typed parameters once, at init, for every rule (and the common parameters of
 * {@link FindingsExecutor}); every error names the mailet, the parameter and the bad value. A blank value counts as
 * absent. Sizes take {@code K}, {@code M} or {@code G} (powers of 1024); durations a unit ({@code 500ms}, {@code 30s},
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
        return Optional.ofNullable(config.getInitParameter(name)).map(String::trim).filter(value -> !value.isEmpty());
    }

    public String required(String name, String what) throws MailetException {
        return string(name)
            .orElseThrow(() -> new MailetException(mailetName() + ": missing required parameter '" + name + "' (" + what + ")"));
    }

    public boolean bool(String name, boolean defaultValue) throws MailetException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        switch (value.get().toLowerCase(Locale.US)) {
            case "true":
            case "yes":
                return true;
            case "false":
            case "no":
                return false;
            default:
                throw invalid(name, value.get(), "expected true or false");
        }
    }

    public int integer(String name, int defaultValue, int min, int max) throws MailetException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed < min || parsed > max) {
                throw invalid(name, value.get(), "expected a whole number from " + min + " to " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(name, value.get(), "expected a whole number from " + min + " to " + max);
        }
    }

    /** A positive whole number. */
    public int positiveInt(String name, int defaultValue) throws MailetException {
        return integer(name, defaultValue, 1, Integer.MAX_VALUE);
    }

    /** A positive size in bytes, with an optional {@code K}, {@code M} or {@code G} suffix (powers of 1024). */
    public long size(String name, long defaultValue) throws MailetException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        String text = value.get().toUpperCase(Locale.US);
        long unit = 1;
        if (text.endsWith("K") || text.endsWith("M") || text.endsWith("G")) {
            unit = text.endsWith("K") ? 1L << 10 : text.endsWith("M") ? 1L << 20 : 1L << 30;
            text = text.substring(0, text.length() - 1).trim();
        }
        try {
            long parsed = Long.parseLong(text);
            if (parsed <= 0 || parsed > Long.MAX_VALUE / unit) {
                throw invalid(name, value.get(), "must be a positive size");
            }
            return parsed * unit;
        } catch (NumberFormatException e) {
            throw invalid(name, value.get(), "expected a size such as 1048576, 512K or 64M");
        }
    }

    /** A positive duration. */
    public Duration duration(String name, Duration defaultValue) throws MailetException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        Duration parsed;
        try {
            parsed = DurationParser.parse(value.get(), ChronoUnit.SECONDS);
        } catch (IllegalArgumentException e) {
            throw invalid(name, value.get(), "expected a duration such as 500ms, 30s or 2m");
        }
        if (parsed.isNegative() || parsed.isZero()) {
            throw invalid(name, value.get(), "must be positive");
        }
        return parsed;
    }

    /** A finite decimal number, when given. */
    public Optional<Double> decimal(String name) throws MailetException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            double parsed = Double.parseDouble(value.get());
            if (Double.isNaN(parsed) || Double.isInfinite(parsed)) {
                throw invalid(name, value.get(), "not a finite number");
            }
            return Optional.of(parsed);
        } catch (NumberFormatException e) {
            throw invalid(name, value.get(), "not a number");
        }
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

    public MailetException invalid(String name, String value, String why) {
        return new MailetException(mailetName() + ": invalid value '" + value + "' for parameter '" + name + "': " + why);
    }
}
