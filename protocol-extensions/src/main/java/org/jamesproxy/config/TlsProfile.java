package org.jamesproxy.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * How strict one TLS leg is: the lowest protocol version accepted and, optionally, the cipher suites.
 * The enabled protocols are every known version from the minimum up; SSLv3 and below are never enabled.
 */
public final class TlsProfile {
    public static final List<String> KNOWN_PROTOCOLS = ImmutableList.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
    public static final String DEFAULT_MIN_PROTOCOL = "TLSv1.2";
    public static final TlsProfile DEFAULT = new TlsProfile("default", DEFAULT_MIN_PROTOCOL, ImmutableList.of());

    public static TlsProfile parse(ConfigValues values) throws ConfigurationException {
        String name = values.requiredString("[@name]");
        String minProtocol = values.string("minProtocol", DEFAULT_MIN_PROTOCOL);
        String canonical = KNOWN_PROTOCOLS.stream()
            .filter(protocol -> protocol.equalsIgnoreCase(minProtocol))
            .findFirst()
            .orElseThrow(() -> values.invalid("minProtocol", minProtocol,
                minProtocol.toUpperCase(Locale.US).startsWith("SSL")
                    ? "SSL versions are refused outright; use TLSv1.2 or TLSv1.3"
                    : "expected one of " + String.join(", ", KNOWN_PROTOCOLS)));
        ImmutableList<String> ciphers = Stream.of(values.raw().getStringArray("ciphers.cipher"))
            .map(String::trim)
            .filter(cipher -> !cipher.isEmpty())
            .collect(ImmutableList.toImmutableList());
        return new TlsProfile(name, canonical, ciphers);
    }

    private final String name;
    private final String minProtocol;
    private final ImmutableList<String> ciphers;

    public TlsProfile(String name, String minProtocol, List<String> ciphers) {
        this.name = name;
        this.minProtocol = minProtocol;
        this.ciphers = ImmutableList.copyOf(ciphers);
    }

    public String getName() {
        return name;
    }

    public String getMinProtocol() {
        return minProtocol;
    }

    /** The protocols to enable on an SSLEngine: the minimum and every newer known version. */
    public String[] enabledProtocols() {
        return KNOWN_PROTOCOLS.subList(KNOWN_PROTOCOLS.indexOf(minProtocol), KNOWN_PROTOCOLS.size()).toArray(String[]::new);
    }

    /** Empty means the JDK's defaults. */
    public List<String> getCiphers() {
        return ciphers;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof TlsProfile) {
            TlsProfile that = (TlsProfile) o;
            return Objects.equals(name, that.name)
                && Objects.equals(minProtocol, that.minProtocol)
                && Objects.equals(ciphers, that.ciphers);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(name, minProtocol, ciphers);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("name", name)
            .add("minProtocol", minProtocol)
            .add("ciphers", ciphers)
            .toString();
    }
}
