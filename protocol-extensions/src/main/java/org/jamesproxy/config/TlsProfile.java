package org.jamesproxy.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * How strict one TLS leg is. A profile is named and reusable; it may be {@code basedOn} another one and override
 * some of its fields. Two read-only profiles are built in, {@value #CLIENT_STANDARD} (the upstream leg: the proxy is
 * the TLS client) and {@value #SERVER_STANDARD} (the client leg: the proxy is the TLS server).
 *
 * <ul>
 *     <li>{@code minProtocol}: the lowest version accepted; every known version from it up is enabled. SSLv3 and
 *     below are refused outright. (The JDK also disables TLSv1 and TLSv1.1 unless java.security's
 *     {@code jdk.tls.disabledAlgorithms} is changed.)</li>
 *     <li>{@code ciphers}: explicit suites (JDK names); absent, the JDK's defaults.</li>
 *     <li>{@code pfs}: {@code allowed} (default, but {@code required} in {@value #SERVER_STANDARD}: the suites as
 *     they are, forward-secret ones preferred by the JDK),
 *     {@code required} (TLS 1.2 and below: only ECDHE/DHE key exchange; TLS 1.3 is forward-secret by design),
 *     {@code none} (only static-RSA key exchange and no TLS 1.3: for a site whose network tap decrypts passively
 *     with the server's RSA key; needs an RSA certificate on that leg, so it cannot serve minted EC leaves).</li>
 *     <li>{@code tlsCompliantOnly} (default true): on an implicit-TLS port the first bytes must be a TLS handshake
 *     record; anything else is closed at once with a log line, never relayed (this matters where the TLS action
 *     splices without decrypting). With false, a non-TLS stream under the {@code allow} action is spliced as it is.</li>
 *     <li>Upstream certificate validation, used on the upstream leg only: {@code validateCertificate} (default
 *     true), {@code ocsp} off (default) | soft-fail | hard-fail, {@code ocspResponder} (URL overriding the
 *     certificate's AIA), and what each failure kind does: {@code onUntrusted}, {@code onExpired},
 *     {@code onHostMismatch}, {@code onRevoked}, each {@code deny} (default) or {@code allow-with-warning} (the
 *     connection goes on and a WARN is logged). {@code validateCertificate=false} turns every kind into
 *     allow-with-warning: the checks still run and their verdict is logged.</li>
 *     <li>{@code <tlsAction>}: the per-domain TLS action rules, kept as an element here and parsed by the Client
 *     proxy action.</li>
 * </ul>
 */
public final class TlsProfile {
    public static final List<String> KNOWN_PROTOCOLS = ImmutableList.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
    public static final String DEFAULT_MIN_PROTOCOL = "TLSv1.2";
    public static final String CLIENT_STANDARD = "TLS-Client.Standard";
    public static final String SERVER_STANDARD = "TLS-Server.Standard";
    public static final ImmutableSet<String> PREDEFINED = ImmutableSet.of(CLIENT_STANDARD, SERVER_STANDARD);

    public enum Pfs {
        NONE, ALLOWED, REQUIRED
    }

    public enum OcspMode {
        OFF, SOFT_FAIL, HARD_FAIL;

        public String xmlName() {
            return TlsProfile.xmlName(this);
        }
    }

    public enum FailureAction {
        DENY, ALLOW_WITH_WARNING;

        public String xmlName() {
            return TlsProfile.xmlName(this);
        }
    }

    /** What can be wrong with an upstream certificate; each kind has its own {@link FailureAction}. */
    public enum FailureKind {
        UNTRUSTED("onUntrusted"), EXPIRED("onExpired"), HOST_MISMATCH("onHostMismatch"), REVOKED("onRevoked");

        private final String element;

        FailureKind(String element) {
            this.element = element;
        }

        public String element() {
            return element;
        }

        public String xmlName() {
            return TlsProfile.xmlName(this);
        }
    }

    /** The built-in profile: TLS 1.2+, JDK suites, TLS-compliant only, full validation, OCSP off. */
    private static TlsProfile standard(String name, Pfs pfs) {
        return new TlsProfile(name, Optional.empty(), DEFAULT_MIN_PROTOCOL, ImmutableList.of(), pfs, true, true,
            OcspMode.OFF, Optional.empty(), FailureAction.DENY, FailureAction.DENY, FailureAction.DENY, FailureAction.DENY,
            Optional.empty());
    }

    /** The upstream leg: PFS allowed, since the proxy cannot choose what an old mail server offers. */
    public static final TlsProfile CLIENT_STANDARD_PROFILE = standard(CLIENT_STANDARD, Pfs.ALLOWED);
    /**
     * The client leg: PFS required. The proxy is the server there, every client of the last decade offers ECDHE, and a
     * static-RSA session recorded today could be decrypted by whoever gets the Proxy Server key later.
     */
    public static final TlsProfile SERVER_STANDARD_PROFILE = standard(SERVER_STANDARD, Pfs.REQUIRED);
    /** What a profile without basedOn starts from (the upstream Standard values: PFS allowed). */
    public static final TlsProfile DEFAULT = standard("default", Pfs.ALLOWED);

    /** The predefined profile of that name, if it is one. */
    public static Optional<TlsProfile> predefined(String name) {
        if (CLIENT_STANDARD.equals(name)) {
            return Optional.of(CLIENT_STANDARD_PROFILE);
        }
        if (SERVER_STANDARD.equals(name)) {
            return Optional.of(SERVER_STANDARD_PROFILE);
        }
        return Optional.empty();
    }

    /** A profile without {@code basedOn}: every absent field takes the Standard value. */
    public static TlsProfile parse(ConfigValues values) throws ConfigurationException {
        return parse(values, DEFAULT);
    }

    /**
     * @param base the resolved {@code basedOn} profile (or {@link #DEFAULT}); every field the element does not set is
     *             inherited from it
     */
    public static TlsProfile parse(ConfigValues values, TlsProfile base) throws ConfigurationException {
        String name = values.requiredString("[@name]");
        String minProtocol = values.optionalString("minProtocol").isPresent()
            ? canonicalProtocol(values, values.requiredString("minProtocol"))
            : base.minProtocol;
        ImmutableList<String> ciphers = values.has("ciphers")
            ? Stream.of(values.raw().getStringArray("ciphers.cipher"))
                .map(String::trim)
                .filter(cipher -> !cipher.isEmpty())
                .collect(ImmutableList.toImmutableList())
            : base.ciphers;
        Pfs pfs = dashed(values, "pfs", Pfs.class, base.pfs);
        if (pfs == Pfs.NONE && minProtocol.equals("TLSv1.3")) {
            throw values.invalid("pfs", "none", "TLS 1.3 is always forward-secret: pfs none needs minProtocol TLSv1.2 or lower");
        }
        boolean tlsCompliantOnly = values.bool("tlsCompliantOnly", base.tlsCompliantOnly);
        boolean validateCertificate = values.bool("validateCertificate", base.validateCertificate);
        OcspMode ocsp = dashed(values, "ocsp", OcspMode.class, base.ocsp);
        Optional<URI> ocspResponder = values.optionalString("ocspResponder").isPresent()
            ? Optional.of(responder(values, values.requiredString("ocspResponder")))
            : base.ocspResponder;
        Optional<ConfigValues> tlsAction = values.has("tlsAction")
            ? Optional.of(values.child("tlsAction", "tlsAction"))
            : base.tlsActionElement;
        if (values.has("tlsAction")) {
            // Checked now, even when no client-action policy uses this profile: a mistake shows at boot.
            TlsActionRules.parse(tlsAction.get());
        }
        return new TlsProfile(name, values.optionalString("[@basedOn]"), minProtocol, ciphers, pfs, tlsCompliantOnly,
            validateCertificate, ocsp, ocspResponder,
            dashed(values, FailureKind.UNTRUSTED.element, FailureAction.class, base.onUntrusted),
            dashed(values, FailureKind.EXPIRED.element, FailureAction.class, base.onExpired),
            dashed(values, FailureKind.HOST_MISMATCH.element, FailureAction.class, base.onHostMismatch),
            dashed(values, FailureKind.REVOKED.element, FailureAction.class, base.onRevoked),
            tlsAction);
    }

    private static String canonicalProtocol(ConfigValues values, String minProtocol) throws ConfigurationException {
        return KNOWN_PROTOCOLS.stream()
            .filter(protocol -> protocol.equalsIgnoreCase(minProtocol))
            .findFirst()
            .orElseThrow(() -> values.invalid("minProtocol", minProtocol,
                minProtocol.toUpperCase(Locale.US).startsWith("SSL")
                    ? "SSL versions are refused outright; use TLSv1.2 or TLSv1.3"
                    : "expected one of " + String.join(", ", KNOWN_PROTOCOLS)));
    }

    private static URI responder(ConfigValues values, String url) throws ConfigurationException {
        try {
            URI uri = new URI(url);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw values.invalid("ocspResponder", url, "expected an http:// URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw values.invalid("ocspResponder", url, "expected an http:// URL");
        }
    }

    /** Enum values as the XML writes them: lower case with dashes (soft-fail, allow-with-warning). */
    private static <E extends Enum<E>> E dashed(ConfigValues values, String key, Class<E> type, E defaultValue) throws ConfigurationException {
        Optional<String> value = values.optionalString(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        for (E constant : type.getEnumConstants()) {
            if (xmlName(constant).equalsIgnoreCase(value.get()) || constant.name().equalsIgnoreCase(value.get())) {
                return constant;
            }
        }
        throw values.invalid(key, value.get(), "expected one of "
            + String.join(", ", Stream.of(type.getEnumConstants()).map(TlsProfile::xmlName).toArray(String[]::new)));
    }

    static String xmlName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.US).replace('_', '-');
    }

    private final String name;
    private final Optional<String> basedOn;
    private final String minProtocol;
    private final ImmutableList<String> ciphers;
    private final Pfs pfs;
    private final boolean tlsCompliantOnly;
    private final boolean validateCertificate;
    private final OcspMode ocsp;
    private final Optional<URI> ocspResponder;
    private final FailureAction onUntrusted;
    private final FailureAction onExpired;
    private final FailureAction onHostMismatch;
    private final FailureAction onRevoked;
    private final Optional<ConfigValues> tlsActionElement;

    /** A profile with Standard values but for the protocol and cipher suites. */
    public TlsProfile(String name, String minProtocol, List<String> ciphers) {
        this(name, Optional.empty(), minProtocol, ciphers, Pfs.ALLOWED, true, true, OcspMode.OFF, Optional.empty(),
            FailureAction.DENY, FailureAction.DENY, FailureAction.DENY, FailureAction.DENY, Optional.empty());
    }

    private TlsProfile(String name, Optional<String> basedOn, String minProtocol, List<String> ciphers, Pfs pfs,
                       boolean tlsCompliantOnly, boolean validateCertificate, OcspMode ocsp, Optional<URI> ocspResponder,
                       FailureAction onUntrusted, FailureAction onExpired, FailureAction onHostMismatch,
                       FailureAction onRevoked, Optional<ConfigValues> tlsActionElement) {
        this.name = name;
        this.basedOn = basedOn;
        this.minProtocol = minProtocol;
        this.ciphers = ImmutableList.copyOf(ciphers);
        this.pfs = pfs;
        this.tlsCompliantOnly = tlsCompliantOnly;
        this.validateCertificate = validateCertificate;
        this.ocsp = ocsp;
        this.ocspResponder = ocspResponder;
        this.onUntrusted = onUntrusted;
        this.onExpired = onExpired;
        this.onHostMismatch = onHostMismatch;
        this.onRevoked = onRevoked;
        this.tlsActionElement = tlsActionElement;
    }

    /** A copy with other upstream-validation settings (tests, tools). */
    public TlsProfile withValidation(boolean validateCertificate, OcspMode ocsp, Optional<URI> ocspResponder,
                                     FailureAction onUntrusted, FailureAction onExpired, FailureAction onHostMismatch,
                                     FailureAction onRevoked) {
        return new TlsProfile(name, basedOn, minProtocol, ciphers, pfs, tlsCompliantOnly, validateCertificate, ocsp,
            ocspResponder, onUntrusted, onExpired, onHostMismatch, onRevoked, tlsActionElement);
    }

    /** A copy with another forward-secrecy policy (tests, tools). */
    public TlsProfile withPfs(Pfs pfs) {
        return new TlsProfile(name, basedOn, minProtocol, ciphers, pfs, tlsCompliantOnly, validateCertificate, ocsp,
            ocspResponder, onUntrusted, onExpired, onHostMismatch, onRevoked, tlsActionElement);
    }

    public String getName() {
        return name;
    }

    /** The profile this one was declared {@code basedOn}; its values are already merged into this one. */
    public Optional<String> getBasedOn() {
        return basedOn;
    }

    public String getMinProtocol() {
        return minProtocol;
    }

    /** The protocols to enable on an SSLEngine: the minimum and every newer known version (no TLS 1.3 with pfs none). */
    public String[] enabledProtocols() {
        return KNOWN_PROTOCOLS.subList(KNOWN_PROTOCOLS.indexOf(minProtocol), KNOWN_PROTOCOLS.size()).stream()
            .filter(protocol -> pfs != Pfs.NONE || !protocol.equals("TLSv1.3"))
            .toArray(String[]::new);
    }

    /** Empty means the JDK's defaults. */
    public List<String> getCiphers() {
        return ciphers;
    }

    public Pfs getPfs() {
        return pfs;
    }

    public boolean isTlsCompliantOnly() {
        return tlsCompliantOnly;
    }

    public boolean isValidateCertificate() {
        return validateCertificate;
    }

    public OcspMode getOcsp() {
        return ocsp;
    }

    public Optional<URI> getOcspResponder() {
        return ocspResponder;
    }

    /** What a failure of that kind does on the upstream leg; allow-with-warning for every kind when validation is off. */
    public FailureAction actionOn(FailureKind kind) {
        if (!validateCertificate) {
            return FailureAction.ALLOW_WITH_WARNING;
        }
        switch (kind) {
            case UNTRUSTED:
                return onUntrusted;
            case EXPIRED:
                return onExpired;
            case HOST_MISMATCH:
                return onHostMismatch;
            case REVOKED:
                return onRevoked;
            default:
                throw new IllegalArgumentException(kind.toString());
        }
    }

    /**
     * The profile's {@code <tlsAction>} element (own or inherited through basedOn), unparsed: the Client proxy action
     * owns its meaning (TlsActionRules). Its path names the profile, for error messages.
     */
    public Optional<ConfigValues> getTlsActionElement() {
        return tlsActionElement;
    }

    public Optional<HierarchicalConfiguration<ImmutableNode>> getTlsActionConfiguration() {
        return tlsActionElement.map(ConfigValues::raw);
    }

    /** Same settings, ignoring name and basedOn (to tell a redundant redefinition of a predefined profile). */
    boolean sameSettingsAs(TlsProfile that) {
        return Objects.equals(minProtocol, that.minProtocol)
            && Objects.equals(ciphers, that.ciphers)
            && pfs == that.pfs
            && tlsCompliantOnly == that.tlsCompliantOnly
            && validateCertificate == that.validateCertificate
            && ocsp == that.ocsp
            && Objects.equals(ocspResponder, that.ocspResponder)
            && onUntrusted == that.onUntrusted
            && onExpired == that.onExpired
            && onHostMismatch == that.onHostMismatch
            && onRevoked == that.onRevoked
            && tlsActionElement.map(ConfigValues::path).equals(that.tlsActionElement.map(ConfigValues::path));
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof TlsProfile) {
            TlsProfile that = (TlsProfile) o;
            return Objects.equals(name, that.name)
                && Objects.equals(basedOn, that.basedOn)
                && sameSettingsAs(that);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(name, basedOn, minProtocol, ciphers, pfs, tlsCompliantOnly, validateCertificate, ocsp,
            ocspResponder, onUntrusted, onExpired, onHostMismatch, onRevoked, tlsActionElement.map(ConfigValues::path));
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("name", name)
            .add("basedOn", basedOn.orElse(null))
            .add("minProtocol", minProtocol)
            .add("ciphers", ciphers)
            .add("pfs", xmlName(pfs))
            .add("tlsCompliantOnly", tlsCompliantOnly)
            .add("validateCertificate", validateCertificate)
            .add("ocsp", xmlName(ocsp))
            .add("ocspResponder", ocspResponder.orElse(null))
            .add("onUntrusted", xmlName(onUntrusted))
            .add("onExpired", xmlName(onExpired))
            .add("onHostMismatch", xmlName(onHostMismatch))
            .add("onRevoked", xmlName(onRevoked))
            .add("tlsAction", tlsActionElement.map(ConfigValues::path).orElse(null))
            .toString();
    }
}
