package org.jamesproxy.engine;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import org.apache.james.util.DurationParser;
import org.apache.james.util.Size;

/**
 * Reads an engine mailet's parameters once, at init, with errors that name the mailet, the parameter and the value.
 * Durations take a unit ({@code 500ms}, {@code 30s}, {@code 2m}; a bare number is seconds), sizes James's suffixes
 * ({@code 512K}, {@code 25M}).
 */
public final class EngineParameters {
    /** An invalid parameter value; the message is meant for the admin who wrote it. */
    public static final class InvalidParameterException extends Exception {
        public InvalidParameterException(String message) {
            super(message);
        }
    }

    private final String owner;
    private final Function<String, Optional<String>> lookup;

    /** @param owner the mailet name, for messages; @param lookup the parameter value by name, blank = absent */
    public EngineParameters(String owner, Function<String, Optional<String>> lookup) {
        this.owner = owner;
        this.lookup = name -> lookup.apply(name).map(String::trim).filter(value -> !value.isEmpty());
    }

    public Optional<String> get(String name) {
        return lookup.apply(name);
    }

    public EngineEndpoint endpoint(String defaultHost, int defaultPort, Duration defaultConnectTimeout, Duration defaultTimeout)
        throws InvalidParameterException {
        String host = get("host").orElse(defaultHost);
        int port = integer("port", defaultPort, 1, 65535);
        Duration connectTimeout = duration("connectTimeout", defaultConnectTimeout);
        Duration timeout = duration("timeout", defaultTimeout);
        return EngineEndpoint.of(host, port, connectTimeout, timeout);
    }

    public int integer(String name, int defaultValue, int min, int max) throws InvalidParameterException {
        Optional<String> value = get(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed < min || parsed > max) {
                throw invalid(name, value.get(), "must be between " + min + " and " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(name, value.get(), "not a number");
        }
    }

    public Duration duration(String name, Duration defaultValue) throws InvalidParameterException {
        Optional<String> value = get(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            Duration parsed = DurationParser.parse(value.get(), ChronoUnit.SECONDS);
            if (parsed.isNegative() || parsed.isZero()) {
                throw invalid(name, value.get(), "must be positive");
            }
            return parsed;
        } catch (IllegalArgumentException e) {
            throw invalid(name, value.get(), "expected a duration such as 500ms, 30s or 2m");
        }
    }

    public long size(String name, long defaultBytes) throws InvalidParameterException {
        Optional<String> value = get(name);
        if (value.isEmpty()) {
            return defaultBytes;
        }
        try {
            long bytes = Size.parse(value.get()).asBytes();
            if (bytes <= 0) {
                throw invalid(name, value.get(), "must be positive");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw invalid(name, value.get(), "expected a size such as 512K or 25M");
        }
    }

    public Optional<Double> decimal(String name) throws InvalidParameterException {
        Optional<String> value = get(name);
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

    public boolean bool(String name, boolean defaultValue) throws InvalidParameterException {
        Optional<String> value = get(name);
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

    public InvalidParameterException invalid(String name, String value, String why) {
        return new InvalidParameterException(owner + ": invalid value '" + value + "' for parameter '" + name + "': " + why);
    }
}
