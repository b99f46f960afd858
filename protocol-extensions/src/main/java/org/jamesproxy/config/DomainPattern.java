package org.jamesproxy.config;

import java.util.Locale;
import java.util.Objects;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.net.InternetDomainName;

/**
 * A destination name pattern: an exact host name ({@code imap.example.com}), or {@code *.example.com} for every name
 * below example.com (any depth, not example.com itself), or {@code *} for every name. Case-insensitive.
 */
public final class DomainPattern {
    public static DomainPattern parse(ConfigValues values, String key, String pattern) throws ConfigurationException {
        String normalized = pattern.trim().toLowerCase(Locale.US);
        if (normalized.equals("*")) {
            return new DomainPattern(normalized);
        }
        String domain = normalized.startsWith("*.") ? normalized.substring(2) : normalized;
        if (domain.contains("*") || !InternetDomainName.isValid(domain)) {
            throw values.invalid(key, pattern, "expected a host name, *.domain or *");
        }
        return new DomainPattern(normalized);
    }

    private final String pattern;

    private DomainPattern(String pattern) {
        this.pattern = pattern;
    }

    /** @param hostName lower case, without a trailing dot */
    public boolean matches(String hostName) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            return hostName.endsWith(pattern.substring(1));
        }
        return hostName.equals(pattern);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DomainPattern && Objects.equals(pattern, ((DomainPattern) o).pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
