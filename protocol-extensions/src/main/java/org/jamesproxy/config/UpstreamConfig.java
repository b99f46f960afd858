package org.jamesproxy.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;

/** The real mail server behind a policy, and how the proxy's leg to it is secured. */
public final class UpstreamConfig {
    static UpstreamConfig parse(ConfigValues upstream, Map<String, TlsProfile> profiles, int defaultImplicitPort,
                                int defaultPlainPort, UpstreamTls defaultTls) throws ConfigurationException {
        // A pool names its members; the first one stands for the upstream in logs and the protocol's prelude.
        String host = upstream.has("host") ? upstream.requiredString("host")
            : UpstreamPool.firstHost(upstream).orElseThrow(() -> new ConfigurationException(upstream.path("host") + " is required"));
        UpstreamTls tls = upstream.enumValue("tls", UpstreamTls.class, defaultTls);
        int port = upstream.integer("port", tls == UpstreamTls.IMPLICIT ? defaultImplicitPort : defaultPlainPort, 1, 65535);
        boolean allowPlaintext = upstream.bool("tls[@allowPlaintext]", false);
        if (tls == UpstreamTls.NONE && !allowPlaintext && !isLoopback(host)) {
            throw upstream.invalid("tls", "none",
                "credentials would cross the network in clear toward '" + host
                    + "'; plaintext is only allowed toward loopback unless <tls allowPlaintext=\"true\">none</tls>");
        }
        String profileName = upstream.string("tlsProfile", "TLS-Client.Standard");
        TlsProfile profile = resolveProfile(upstream, "tlsProfile", profileName, profiles);
        return new UpstreamConfig(host, port, tls, TrustStoreConfig.parse(upstream),
            upstream.string("expectedHostName", host), profile,
            upstream.duration("connectTimeout", "10s"), upstream.enumValue("proxyProtocol", ProxyHeader.class, ProxyHeader.NONE),
            upstream.enumValue("identityCommand", IdentityCommand.class, IdentityCommand.NONE));
    }

    /**
     * With sni routing the destination host is the name each client asks for: {@code <upstream>} (optional) only
     * says how to reach it (tls mode, port, trust store, profile, timeout). Its host is {@link #SNI_HOST}.
     */
    static UpstreamConfig parseSniTemplate(ConfigValues upstream, Map<String, TlsProfile> profiles, int defaultImplicitPort,
                                           int defaultPlainPort, UpstreamTls defaultTls) throws ConfigurationException {
        if (upstream.has("host") || upstream.has("expectedHostName")) {
            throw new ConfigurationException(upstream.path("host")
                + " must not be set with sni routing: the destination is the name the client asks for");
        }
        UpstreamTls tls = upstream.enumValue("tls", UpstreamTls.class, defaultTls);
        if (tls == UpstreamTls.NONE) {
            throw upstream.invalid("tls", "none", "sni routing reaches arbitrary hosts: the upstream leg must use TLS");
        }
        int port = upstream.integer("port", tls == UpstreamTls.IMPLICIT ? defaultImplicitPort : defaultPlainPort, 1, 65535);
        TlsProfile profile = resolveProfile(upstream, "tlsProfile", upstream.string("tlsProfile", "TLS-Client.Standard"), profiles);
        return new UpstreamConfig(SNI_HOST, port, tls, TrustStoreConfig.parse(upstream), SNI_HOST, profile,
            upstream.duration("connectTimeout", "10s"), upstream.enumValue("proxyProtocol", ProxyHeader.class, ProxyHeader.NONE),
            upstream.enumValue("identityCommand", IdentityCommand.class, IdentityCommand.NONE));
    }

    /** The host of an sni-routed policy's upstream template. */
    public static final String SNI_HOST = "(sni)";

    /** The same leg toward one server of a pool, whose certificate must carry {@code expectedName}. */
    public UpstreamConfig forMember(String memberHost, int memberPort, String expectedName) {
        return new UpstreamConfig(memberHost, memberPort, tls, trustStore, expectedName, tlsProfile, connectTimeout);
    }

    /** The same leg toward another host (sni routing): the host is also the name its certificate must carry. */
    public UpstreamConfig forDestination(String destinationHost, int destinationPort) {
        return new UpstreamConfig(destinationHost, destinationPort, tls, trustStore, destinationHost, tlsProfile, connectTimeout,
            proxyHeader, identityCommand);
    }

    static TlsProfile resolveProfile(ConfigValues values, String key, String name, Map<String, TlsProfile> profiles) throws ConfigurationException {
        TlsProfile profile = profiles.get(name);
        if (profile == null) {
            if (name.endsWith(".Standard")) {
                // The predefined read-only profiles exist even when the file does not declare them.
                return new TlsProfile(name, TlsProfile.DEFAULT_MIN_PROTOCOL, com.google.common.collect.ImmutableList.of());
            }
            throw values.invalid(key, name, "no <tlsProfiles><profile name=\"" + name + "\"> is defined");
        }
        return profile;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private final String host;
    private final int port;
    private final UpstreamTls tls;
    private final Optional<TrustStoreConfig> trustStore;
    private final String expectedHostName;
    private final TlsProfile tlsProfile;
    private final Duration connectTimeout;
    private final ProxyHeader proxyHeader;
    private final IdentityCommand identityCommand;

    public UpstreamConfig(String host, int port, UpstreamTls tls, Optional<TrustStoreConfig> trustStore,
                          String expectedHostName, TlsProfile tlsProfile, Duration connectTimeout) {
        this(host, port, tls, trustStore, expectedHostName, tlsProfile, connectTimeout, ProxyHeader.NONE, IdentityCommand.NONE);
    }

    public UpstreamConfig(String host, int port, UpstreamTls tls, Optional<TrustStoreConfig> trustStore,
                          String expectedHostName, TlsProfile tlsProfile, Duration connectTimeout, ProxyHeader proxyHeader,
                          IdentityCommand identityCommand) {
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.trustStore = trustStore;
        this.expectedHostName = expectedHostName;
        this.tlsProfile = tlsProfile;
        this.connectTimeout = connectTimeout;
        this.proxyHeader = proxyHeader;
        this.identityCommand = identityCommand;
    }

    public String getHost() {
        return host;
    }

    public int getPort() {
        return port;
    }

    public UpstreamTls getTls() {
        return tls;
    }

    public Optional<TrustStoreConfig> getTrustStore() {
        return trustStore;
    }

    public String getExpectedHostName() {
        return expectedHostName;
    }

    public TlsProfile getTlsProfile() {
        return tlsProfile;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    /** The PROXY protocol header that opens each connection to this upstream, before any TLS. */
    public ProxyHeader getProxyHeader() {
        return proxyHeader;
    }

    /** The protocol command that tells the upstream who the client is (SMTP XCLIENT, IMAP ID), or none. */
    public IdentityCommand getIdentityCommand() {
        return identityCommand;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof UpstreamConfig) {
            UpstreamConfig that = (UpstreamConfig) o;
            return port == that.port
                && Objects.equals(host, that.host)
                && Objects.equals(tls, that.tls)
                && Objects.equals(trustStore, that.trustStore)
                && Objects.equals(expectedHostName, that.expectedHostName)
                && Objects.equals(tlsProfile, that.tlsProfile)
                && Objects.equals(connectTimeout, that.connectTimeout)
                && proxyHeader == that.proxyHeader
                && identityCommand == that.identityCommand;
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(host, port, tls, trustStore, expectedHostName, tlsProfile, connectTimeout, proxyHeader, identityCommand);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("host", host)
            .add("port", port)
            .add("tls", tls)
            .add("expectedHostName", expectedHostName)
            .add("tlsProfile", tlsProfile.getName())
            .add("proxyProtocol", proxyHeader)
            .add("identityCommand", identityCommand)
            .toString();
    }
}
