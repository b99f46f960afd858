package org.jamesproxy.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;

/**
 * The top-level {@code <proxyAuthority>} element: where the Proxy Authority's CA key and certificate are, and how its
 * minted leaves live. One per proxy, not per policy: it is the single CA the users' devices are told to trust.
 *
 * <pre>{@code
 * <proxyAuthority>
 *     <keystore>file://conf/proxy-authority.p12</keystore>   <!-- or <privateKey> + <certificate> (PEM) -->
 *     <keystoreType>PKCS12</keystoreType>                     <!-- PKCS12 (default) | JKS -->
 *     <secret>changeit</secret>
 *     <alias>proxy-authority</alias>                          <!-- optional: the store's only key entry -->
 *     <leafValidity>7d</leafValidity>
 *     <cacheSize>10000</cacheSize>
 * </proxyAuthority>
 * }</pre>
 */
public final class ProxyAuthorityConfig {
    public enum StoreType {
        PKCS12, JKS
    }

    public static Optional<ProxyAuthorityConfig> parse(ConfigValues root) throws ConfigurationException {
        if (!root.has("proxyAuthority")) {
            return Optional.empty();
        }
        ConfigValues values = root.child("proxyAuthority", "proxyAuthority");
        Optional<String> keystore = values.optionalString("keystore");
        Optional<String> privateKey = values.optionalString("privateKey");
        Optional<String> certificate = values.optionalString("certificate");
        if (keystore.isPresent() == (privateKey.isPresent() || certificate.isPresent())) {
            throw new ConfigurationException(values.path() + ": give either <keystore> (with <secret>) or <privateKey> and"
                + " <certificate> (PEM files), not both and not neither");
        }
        if (keystore.isEmpty() && (privateKey.isEmpty() || certificate.isEmpty())) {
            throw new ConfigurationException(values.path(privateKey.isEmpty() ? "privateKey" : "certificate")
                + " is required with PEM files: the Proxy Authority needs its key and its certificate");
        }
        StoreType defaultType = keystore.map(location -> location.toLowerCase(Locale.US).endsWith(".jks") ? StoreType.JKS : StoreType.PKCS12)
            .orElse(StoreType.PKCS12);
        StoreType type = values.enumValue("keystoreType", StoreType.class, defaultType);
        if (keystore.isPresent() && values.optionalString("secret").isEmpty()) {
            throw new ConfigurationException(values.path("secret") + " is required with <keystore>");
        }
        Duration leafValidity = values.duration("leafValidity", "7d");
        if (leafValidity.compareTo(Duration.ofHours(1)) < 0 || leafValidity.compareTo(Duration.ofDays(397)) > 0) {
            throw values.invalid("leafValidity", values.string("leafValidity", ""), "expected between 1h and 397d");
        }
        int cacheSize = values.integer("cacheSize", 10_000, 1, 10_000_000);
        return Optional.of(new ProxyAuthorityConfig(values.path(), keystore, type, values.optionalString("secret"),
            values.optionalString("alias"), privateKey, certificate, leafValidity, cacheSize));
    }

    private final String path;
    private final Optional<String> keystore;
    private final StoreType keystoreType;
    private final Optional<String> secret;
    private final Optional<String> alias;
    private final Optional<String> privateKey;
    private final Optional<String> certificate;
    private final Duration leafValidity;
    private final int cacheSize;

    public ProxyAuthorityConfig(String path, Optional<String> keystore, StoreType keystoreType, Optional<String> secret,
                                Optional<String> alias, Optional<String> privateKey, Optional<String> certificate,
                                Duration leafValidity, int cacheSize) {
        this.path = path;
        this.keystore = keystore;
        this.keystoreType = keystoreType;
        this.secret = secret;
        this.alias = alias;
        this.privateKey = privateKey;
        this.certificate = certificate;
        this.leafValidity = leafValidity;
        this.cacheSize = cacheSize;
    }

    /** The element's path, for error messages. */
    public String getPath() {
        return path;
    }

    /** A James FileSystem URL (file://conf/...), when the CA is in a key store. */
    public Optional<String> getKeystore() {
        return keystore;
    }

    public StoreType getKeystoreType() {
        return keystoreType;
    }

    public Optional<String> getSecret() {
        return secret;
    }

    public Optional<String> getAlias() {
        return alias;
    }

    /** PEM private key URL, when the CA is in PEM files. */
    public Optional<String> getPrivateKey() {
        return privateKey;
    }

    /** PEM certificate URL, when the CA is in PEM files. */
    public Optional<String> getCertificate() {
        return certificate;
    }

    public Duration getLeafValidity() {
        return leafValidity;
    }

    public int getCacheSize() {
        return cacheSize;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof ProxyAuthorityConfig) {
            ProxyAuthorityConfig that = (ProxyAuthorityConfig) o;
            return cacheSize == that.cacheSize
                && Objects.equals(keystore, that.keystore)
                && keystoreType == that.keystoreType
                && Objects.equals(secret, that.secret)
                && Objects.equals(alias, that.alias)
                && Objects.equals(privateKey, that.privateKey)
                && Objects.equals(certificate, that.certificate)
                && Objects.equals(leafValidity, that.leafValidity);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(keystore, keystoreType, secret, alias, privateKey, certificate, leafValidity, cacheSize);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("keystore", keystore.orElse(null))
            .add("keystoreType", keystoreType)
            .add("alias", alias.orElse(null))
            .add("privateKey", privateKey.orElse(null))
            .add("certificate", certificate.orElse(null))
            .add("leafValidity", leafValidity)
            .add("cacheSize", cacheSize)
            .toString();
    }
}
