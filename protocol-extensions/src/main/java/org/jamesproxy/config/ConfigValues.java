package org.jamesproxy.config;

import java.time.Duration;
import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.jamesproxy.values.InvalidValueException;
import org.jamesproxy.values.TypedValues;

/**
 * Reads typed values from one XML element, turning every bad value into a {@link ConfigurationException} that
 * names the full element path and the value, so an admin knows which line of mailproxy.xml to fix. The text-to-value
 * rules are {@link TypedValues}'s, the same as the mailets' parameters.
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
        return TypedValues.text(config.getString(key, null));
    }

    public String string(String key, String defaultValue) {
        return optionalString(key).orElse(defaultValue);
    }

    public String requiredString(String key) throws ConfigurationException {
        return optionalString(key)
            .orElseThrow(() -> new ConfigurationException(path(key) + " is required"));
    }

    public boolean bool(String key, boolean defaultValue) throws ConfigurationException {
        return parse(key, TypedValues::bool).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue, int min, int max) throws ConfigurationException {
        return parse(key, value -> TypedValues.integer(value, min, max)).orElse(defaultValue);
    }

    /** Sizes as James writes them ({@link TypedValues#size(String)}): 512, 64K, 25M, 1G. */
    public long size(String key, String defaultValue) throws ConfigurationException {
        return parse(key, string(key, defaultValue), TypedValues::size);
    }

    /** Durations as James writes them: 30s, 10m, 1h (a bare number is seconds). */
    public Duration duration(String key, String defaultValue) throws ConfigurationException {
        return parse(key, string(key, defaultValue), TypedValues::duration);
    }

    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) throws ConfigurationException {
        return parse(key, value -> TypedValues.enumValue(value, type)).orElse(defaultValue);
    }

    public <E extends Enum<E>> E parseEnum(String key, String value, Class<E> type) throws ConfigurationException {
        return parse(key, value, text -> TypedValues.enumValue(text, type));
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(String value) throws InvalidValueException;
    }

    /** The key's value parsed, empty when absent or blank. */
    private <T> Optional<T> parse(String key, Parser<T> parser) throws ConfigurationException {
        Optional<String> value = optionalString(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(parse(key, value.get(), parser));
    }

    /** A bad value becomes an error naming this element's key. */
    private <T> T parse(String key, String value, Parser<T> parser) throws ConfigurationException {
        try {
            return parser.parse(value);
        } catch (InvalidValueException e) {
            throw invalid(key, e.getValue(), e.getExpectation());
        }
    }

    public ConfigurationException invalid(String key, String value, String expectation) {
        return new ConfigurationException(path(key) + ": invalid value '" + value + "': " + expectation);
    }

    public ConfigValues child(String key, String childPath) {
        return new ConfigValues(config.configurationAt(key), path(childPath));
    }
}
