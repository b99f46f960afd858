package org.jamesproxy.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.util.DurationParser;
import org.apache.james.util.Size;

/**
 * Reads typed values from one XML element, turning every bad value into a {@link ConfigurationException} that
 * names the full element path and the value, so an admin knows which line of mailproxy.xml to fix.
 */
public final class ConfigValues {
    private final HierarchicalConfiguration<ImmutableNode> config;
    private final String path;

    public ConfigValues(HierarchicalConfiguration<ImmutableNode> config, String path) {
        this.config = config;
        this.path = path;
    }

    public String path() {
        return path;
    }

    public String path(String key) {
        return path + "." + key;
    }

    public HierarchicalConfiguration<ImmutableNode> raw() {
        return config;
    }

    public boolean has(String key) {
        return config.containsKey(key) || !config.configurationsAt(key).isEmpty();
    }

    public Optional<String> optionalString(String key) {
        return Optional.ofNullable(config.getString(key, null))
            .map(String::trim)
            .filter(value -> !value.isEmpty());
    }

    public String string(String key, String defaultValue) {
        return optionalString(key).orElse(defaultValue);
    }

    public String requiredString(String key) throws ConfigurationException {
        return optionalString(key)
            .orElseThrow(() -> new ConfigurationException(path(key) + " is required"));
    }

    public boolean bool(String key, boolean defaultValue) throws ConfigurationException {
        Optional<String> value = optionalString(key);
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
                throw invalid(key, value.get(), "expected true or false");
        }
    }

    public int integer(String key, int defaultValue, int min, int max) throws ConfigurationException {
        Optional<String> value = optionalString(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed < min || parsed > max) {
                throw invalid(key, value.get(), "expected a number between " + min + " and " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(key, value.get(), "expected a number");
        }
    }

    /** Sizes as James writes them: 512, 64K, 25M, 1G. */
    public long size(String key, String defaultValue) throws ConfigurationException {
        String value = string(key, defaultValue);
        try {
            long bytes = Size.parse(value).asBytes();
            if (bytes <= 0) {
                throw invalid(key, value, "expected a positive size such as 64K or 25M");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw invalid(key, value, "expected a size such as 64K or 25M");
        }
    }

    /** Durations as James writes them: 30s, 10m, 1h (a bare number is seconds). */
    public Duration duration(String key, String defaultValue) throws ConfigurationException {
        String value = string(key, defaultValue);
        try {
            Duration duration = DurationParser.parse(value, java.time.temporal.ChronoUnit.SECONDS);
            if (duration.isNegative() || duration.isZero()) {
                throw invalid(key, value, "expected a positive duration such as 30s or 10m");
            }
            return duration;
        } catch (IllegalArgumentException e) {
            throw invalid(key, value, "expected a duration such as 30s or 10m");
        }
    }

    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) throws ConfigurationException {
        Optional<String> value = optionalString(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return parseEnum(key, value.get(), type);
    }

    public <E extends Enum<E>> E parseEnum(String key, String value, Class<E> type) throws ConfigurationException {
        Function<E, String> name = constant -> constant.name().toLowerCase(Locale.US);
        return Arrays.stream(type.getEnumConstants())
            .filter(constant -> name.apply(constant).equals(value.toLowerCase(Locale.US)))
            .findFirst()
            .orElseThrow(() -> invalid(key, value, "expected one of "
                + Arrays.stream(type.getEnumConstants()).map(name).collect(Collectors.joining(", "))));
    }

    public ConfigurationException invalid(String key, String value, String expectation) {
        return new ConfigurationException(path(key) + ": invalid value '" + value + "': " + expectation);
    }

    public ConfigValues child(String key, String childPath) {
        return new ConfigValues(config.configurationAt(key), path(childPath));
    }
}
