package org.jamesproxy.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * A policy whose proxy action runs in the "Client" (outbound) direction: internal users reach mail servers outside,
 * and see certificates minted by the Proxy Authority instead of the Proxy Server certificate.
 * <pre>{@code
 * <proxyActionDirection>client</proxyActionDirection>
 * <clientAction>
 *   <routing>sni</routing>                       <!-- or fixed: <upstream><host> is the only destination -->
 *   <allowedDestinations>                        <!-- sni only; empty = every destination refused -->
 *     <destination>*.example.com</destination>
 *   </allowedDestinations>
 *   <tlsAction>
 *     <default>inspect</default>
 *     <domain pattern="*.bank.example">allow</domain>
 *   </tlsAction>
 *   <proxyAuthority>                             <!-- optional: this policy's own CA instead of the top-level one -->
 *     <keyStore>file://conf/proxy-authority.p12</keyStore>
 *     <alias>proxy-authority</alias>
 *     <secret>changeit</secret>
 *   </proxyAuthority>
 * </clientAction>
 * }</pre>
 */
public final class ClientActionConfig {
    /** How the proxy learns where an outbound connection goes. */
    public enum Routing {
        /** The policy's {@code <upstream>} is the only destination. */
        FIXED,
        /** The destination is the name the client asks for in its TLS ClientHello (SNI). */
        SNI
    }

    /** The CA key and certificate that signs the per-host leaves (PKCS12 key store). */
    public static final class ProxyAuthorityConfig {
        private final String keyStore;
        private final String alias;
        private final String secret;

        public ProxyAuthorityConfig(String keyStore, String alias, String secret) {
            this.keyStore = keyStore;
            this.alias = alias;
            this.secret = secret;
        }

        public String getKeyStore() {
            return keyStore;
        }

        public String getAlias() {
            return alias;
        }

        public String getSecret() {
            return secret;
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof ProxyAuthorityConfig) {
                ProxyAuthorityConfig that = (ProxyAuthorityConfig) o;
                return keyStore.equals(that.keyStore) && alias.equals(that.alias) && secret.equals(that.secret);
            }
            return false;
        }

        @Override
        public int hashCode() {
            return Objects.hash(keyStore, alias, secret);
        }

        @Override
        public String toString() {
            return MoreObjects.toStringHelper(this).add("keyStore", keyStore).add("alias", alias).toString();
        }
    }

    /** The direction element of a policy: server (inbound, the default) or client (outbound). */
    public enum Direction {
        SERVER, CLIENT
    }

    public static final String DIRECTION = "proxyActionDirection";
    public static final String ELEMENT = "clientAction";

    /**
     * @param policy the policy element
     * @return empty for a "Server" policy; the pass-through ports are set by {@link #withPassThroughPorts}
     */
    static Optional<ClientActionConfig> parse(ConfigValues policy) throws ConfigurationException {
        int implicitPort = 0;
        int plainPort = 0;
        Direction direction = policy.enumValue(DIRECTION, Direction.class, Direction.SERVER);
        if (direction == Direction.SERVER) {
            if (policy.has(ELEMENT)) {
                throw new ConfigurationException(policy.path(ELEMENT) + " is only read when "
                    + policy.path(DIRECTION) + " is client");
            }
            return Optional.empty();
        }
        if (!policy.has(ELEMENT)) {
            return Optional.of(new ClientActionConfig(Routing.FIXED, ImmutableList.of(), TlsActionRules.INSPECT_ALL,
                Optional.empty(), implicitPort, plainPort));
        }
        ConfigValues element = policy.child(ELEMENT, ELEMENT);
        Routing routing = element.enumValue("routing", Routing.class, Routing.FIXED);
        ImmutableList.Builder<DomainPattern> allowed = ImmutableList.builder();
        String[] destinations = element.raw().getStringArray("allowedDestinations.destination");
        for (int index = 0; index < destinations.length; index++) {
            allowed.add(DomainPattern.parse(element, "allowedDestinations.destination[" + index + "]", destinations[index]));
        }
        ImmutableList<DomainPattern> allowedDestinations = allowed.build();
        if (routing == Routing.FIXED && !allowedDestinations.isEmpty()) {
            throw new ConfigurationException(element.path("allowedDestinations")
                + " applies to sni routing only: with fixed routing the <upstream> is the one destination");
        }
        TlsActionRules rules = element.has("tlsAction")
            ? TlsActionRules.parse(element.child("tlsAction", "tlsAction"))
            : TlsActionRules.INSPECT_ALL;
        Optional<ProxyAuthorityConfig> authority = Optional.empty();
        if (element.has("proxyAuthority")) {
            ConfigValues ca = element.child("proxyAuthority", "proxyAuthority");
            authority = Optional.of(new ProxyAuthorityConfig(ca.requiredString("keyStore"), ca.string("alias", "proxy-authority"),
                ca.requiredString("secret")));
        }
        return Optional.of(new ClientActionConfig(routing, allowedDestinations, rules, authority, implicitPort, plainPort));
    }

    private final Routing routing;
    private final ImmutableList<DomainPattern> allowedDestinations;
    private final TlsActionRules tlsAction;
    private final Optional<ProxyAuthorityConfig> proxyAuthority;
    private final int implicitPassThroughPort;
    private final int plainPassThroughPort;

    public ClientActionConfig(Routing routing, List<DomainPattern> allowedDestinations, TlsActionRules tlsAction,
                              Optional<ProxyAuthorityConfig> proxyAuthority, int implicitPassThroughPort, int plainPassThroughPort) {
        this.routing = routing;
        this.allowedDestinations = ImmutableList.copyOf(allowedDestinations);
        this.tlsAction = tlsAction;
        this.proxyAuthority = proxyAuthority;
        this.implicitPassThroughPort = implicitPassThroughPort;
        this.plainPassThroughPort = plainPassThroughPort;
    }

    /**
     * An {@code allow} destination is spliced to the upstream's port of the same kind (implicit TLS or plain) as the
     * listener the client came in on: the configured upstream port when its TLS mode matches, else the protocol's default.
     */
    /** The TLS action rules of the upstream leg's TLS profile, for a client action that has no {@code <tlsAction>} of its own. */
    ClientActionConfig withTlsAction(TlsActionRules rules) {
        return new ClientActionConfig(routing, allowedDestinations, rules, proxyAuthority, implicitPassThroughPort, plainPassThroughPort);
    }

    ClientActionConfig withPassThroughPorts(int implicitPort, int plainPort) {
        return new ClientActionConfig(routing, allowedDestinations, tlsAction, proxyAuthority, implicitPort, plainPort);
    }

    public Routing getRouting() {
        return routing;
    }

    public List<DomainPattern> getAllowedDestinations() {
        return allowedDestinations;
    }

    /** With sni routing: is this (lower-case) name on the allow-list? An empty list allows nothing. */
    public boolean isAllowed(String hostName) {
        return allowedDestinations.stream().anyMatch(pattern -> pattern.matches(hostName));
    }

    public TlsActionRules getTlsAction() {
        return tlsAction;
    }

    public Optional<ProxyAuthorityConfig> getProxyAuthority() {
        return proxyAuthority;
    }

    /** Where an {@code allow} destination is spliced when the client came in on the implicit-TLS listener. */
    public int getImplicitPassThroughPort() {
        return implicitPassThroughPort;
    }

    /** Where an {@code allow} destination is spliced when the client came in on the plain (STARTTLS) listener. */
    public int getPlainPassThroughPort() {
        return plainPassThroughPort;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof ClientActionConfig) {
            ClientActionConfig that = (ClientActionConfig) o;
            return routing == that.routing
                && allowedDestinations.equals(that.allowedDestinations)
                && tlsAction.equals(that.tlsAction)
                && proxyAuthority.equals(that.proxyAuthority)
                && implicitPassThroughPort == that.implicitPassThroughPort
                && plainPassThroughPort == that.plainPassThroughPort;
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(routing, allowedDestinations, tlsAction, proxyAuthority, implicitPassThroughPort, plainPassThroughPort);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("routing", routing)
            .add("allowedDestinations", allowedDestinations)
            .add("tlsAction", tlsAction)
            .toString();
    }
}
