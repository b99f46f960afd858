package org.jamesproxy.config;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;

/** Where the certificates trusted for an upstream leg come from. Absent: the JDK's default CAs. */
public final class TrustStoreConfig {
    public enum Type {
        PEM, PKCS12, JKS
    }

    static Optional<TrustStoreConfig> parse(ConfigValues upstream) throws ConfigurationException {
        Optional<String> location = upstream.optionalString("trustStore");
        if (location.isEmpty()) {
            return Optional.empty();
        }
        String lower = location.get().toLowerCase(Locale.US);
        Type defaultType = lower.endsWith(".p12") || lower.endsWith(".pfx") ? Type.PKCS12
            : lower.endsWith(".jks") || lower.endsWith("keystore") ? Type.JKS : Type.PEM;
        Type type = upstream.enumValue("trustStoreType", Type.class, defaultType);
        return Optional.of(new TrustStoreConfig(location.get(), type, upstream.optionalString("trustStoreSecret")));
    }

    private final String location;
    private final Type type;
    private final Optional<String> secret;

    public TrustStoreConfig(String location, Type type, Optional<String> secret) {
        this.location = location;
        this.type = type;
        this.secret = secret;
    }

    /** A James FileSystem URL (file://conf/..., file:///abs/path, classpath:...). */
    public String getLocation() {
        return location;
    }

    public Type getType() {
        return type;
    }

    public Optional<String> getSecret() {
        return secret;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof TrustStoreConfig) {
            TrustStoreConfig that = (TrustStoreConfig) o;
            return Objects.equals(location, that.location)
                && Objects.equals(type, that.type)
                && Objects.equals(secret, that.secret);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(location, type, secret);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("location", location)
            .add("type", type)
            .toString();
    }
}
