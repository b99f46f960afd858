package org.jamesproxy.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.jamesproxy.policy.AccessPolicy;
import org.jamesproxy.values.ConfigurationReads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.MoreObjects;

/**
 * What every protocol's policy has: the listener pair, the Proxy Server certificate, the client-leg TLS profile,
 * the upstream, timeouts and the inspection settings. Protocol-specific limits live beside it.
 */
public final class ProxyPolicy {
    private static final Logger LOGGER = LoggerFactory.getLogger(ProxyPolicy.class);
    private static final String HELLO_NAME = "helloName";

    /** Default ports of one protocol: plain+STARTTLS, implicit TLS, and the upstream's. */
    public static final class DefaultPorts {
        private final int plain;
        private final int tls;
        private final UpstreamTls upstreamTls;

        public DefaultPorts(int plain, int tls) {
            this(plain, tls, UpstreamTls.IMPLICIT);
        }

        /** @param upstreamTls the upstream leg's mode when the policy does not say (SMTP: STARTTLS, as on port 25) */
        public DefaultPorts(int plain, int tls, UpstreamTls upstreamTls) {
            this.plain = plain;
            this.tls = tls;
            this.upstreamTls = upstreamTls;
        }
    }

    public static ProxyPolicy parse(ConfigValues policy, Map<String, TlsProfile> profiles, DefaultPorts ports,
                                    String defaultJmxPrefix) throws ConfigurationException {
        String name = policy.requiredString("name");
        TlsSupport tlsSupport = policy.enumValue("tlsSupport", TlsSupport.class, TlsSupport.ENABLED);
        String bind = policy.string("bind", "0.0.0.0:" + ports.plain);
        String tlsBind = policy.string("tlsBind", "0.0.0.0:" + ports.tls);
        validateBind(policy, "bind", bind);
        validateBind(policy, "tlsBind", tlsBind);
        Optional<ClientActionConfig> clientAction = ClientActionConfig.parse(policy);
        // A client-action policy presents minted certificates, not the Proxy Server certificate.
        if (tlsSupport != TlsSupport.DISABLED && clientAction.isEmpty() && !policy.has("tls")) {
            throw new ConfigurationException(policy.path("tls") + " is required when tlsSupport is "
                + tlsSupport.name().toLowerCase(java.util.Locale.US) + ": it holds the Proxy Server certificate");
        }
        TlsProfile clientProfile = UpstreamConfig.resolveProfile(policy, "clientTlsProfile",
            policy.string("clientTlsProfile", "TLS-Server.Standard"), profiles);
        boolean sniRouting = clientAction.map(action -> action.getRouting() == ClientActionConfig.Routing.SNI).orElse(false);
        if (sniRouting && tlsSupport == TlsSupport.DISABLED) {
            throw policy.invalid("tlsSupport", "disabled",
                "sni routing learns the destination from the client's TLS handshake: use enabled or required");
        }
        UpstreamConfig upstream;
        if (sniRouting) {
            ConfigValues element = policy.has("upstream")
                ? policy.child("upstream", "upstream")
                : new ConfigValues(new BaseHierarchicalConfiguration(), policy.path("upstream"));
            upstream = UpstreamConfig.parseSniTemplate(element, profiles, ports.tls, ports.plain, ports.upstreamTls);
        } else {
            if (!policy.has("upstream")) {
                throw new ConfigurationException(policy.path("upstream") + " is required");
            }
            upstream = UpstreamConfig.parse(policy.child("upstream", "upstream"), profiles, ports.tls, ports.plain,
                ports.upstreamTls);
        }
        validateIdentityCommand(policy, upstream.getIdentityCommand(), defaultJmxPrefix);
        // The TLS action belongs to the upstream leg's TLS profile; a <clientAction><tlsAction> overrides it per policy.
        Optional<ConfigValues> profileTlsAction = upstream.getTlsProfile().getTlsActionElement();
        if (clientAction.isPresent() && profileTlsAction.isPresent()
            && !policy.has(ClientActionConfig.ELEMENT + ".tlsAction")) {
            clientAction = Optional.of(clientAction.get().withTlsAction(TlsActionRules.parse(profileTlsAction.get())));
        }
        clientAction = clientAction.map(action -> action.withPassThroughPorts(
            upstream.getTls() == UpstreamTls.IMPLICIT ? upstream.getPort() : ports.tls,
            upstream.getTls() == UpstreamTls.IMPLICIT ? ports.plain : upstream.getPort()));
        // James's own listener keys (connectionLimit, connectionLimitPerIP, helloName, ...) are validated here,
        // at boot, by the same code James uses; failures name our element.
        validateJamesListenerKeys(policy);
        AccessPolicy access = AccessSettings.parse(policy);
        Optional<UpstreamPool> pool = sniRouting || !policy.has("upstream") ? Optional.empty()
            : UpstreamPool.parse(policy.child("upstream", "upstream"), upstream.getPort());
        AccessSettings.checkToLists(policy, access, pool);
        return new ProxyPolicy(name, tlsSupport, bind, tlsBind, policy.string("jmxName", defaultJmxPrefix + "-" + name),
            parseHelloName(policy), policy.raw(), policy.duration("idleTimeout", "30m"), policy.bool("allowPlaintextAuth", false),
            clientProfile, upstream, InspectionSettings.parse(policy),
            (int) Math.min(Integer.MAX_VALUE, policy.size("limits.maxLineLength", "64K")), clientAction,
            ProxyProtocolIn.parse(policy), ClientDeadlines.parse(policy))
            .withAccess(access)
            .withUpstreamPool(pool);
    }

    /** XCLIENT is SMTP's and ID is IMAP's: anywhere else it would never be sent. */
    private static void validateIdentityCommand(ConfigValues policy, IdentityCommand command, String element)
        throws ConfigurationException {
        boolean fits = command == IdentityCommand.NONE
            || (command == IdentityCommand.XCLIENT && element.equals("smtpproxy"))
            || (command == IdentityCommand.ID && element.equals("imapproxy"));
        if (!fits) {
            throw policy.invalid("upstream.identityCommand", command.name().toLowerCase(java.util.Locale.US),
                "xclient is for <smtpproxy>, id for <imapproxy>; use none (or proxyProtocol) here");
        }
    }

    private static void validateBind(ConfigValues policy, String key, String bind) throws ConfigurationException {
        for (String address : bind.split(",")) {
            int colon = address.lastIndexOf(':');
            if (colon < 0) {
                throw policy.invalid(key, bind, "expected ip:port[,ip:port...]");
            }
            try {
                int port = Integer.parseInt(address.substring(colon + 1).trim());
                if (port < 0 || port > 65535) {
                    throw policy.invalid(key, bind, "port out of range");
                }
            } catch (NumberFormatException e) {
                throw policy.invalid(key, bind, "expected ip:port[,ip:port...]");
            }
        }
    }

    /**
     * {@code <helloName autodetect="true|false">name</helloName>} as James's listeners read it
     * ({@code AbstractConfigurableAsyncServer.configureHelloName}): autodetect, true when the attribute or the whole
     * element is absent, means the local host name and ignores the text; false means the text, which must be there.
     */
    static String parseHelloName(ConfigValues policy) throws ConfigurationException {
        Optional<String> text = policy.optionalString(HELLO_NAME);
        if (policy.bool(HELLO_NAME + "[@autodetect]", true)) {
            String hostName = localHostName();
            text.filter(value -> !value.equals(hostName)).ifPresent(value -> LOGGER.warn(
                "{}: '{}' is ignored because autodetect is true (James's default when the attribute is absent); the name"
                    + " is the host name '{}'. Write <helloName autodetect=\"false\">{}</helloName> to use it",
                policy.path(HELLO_NAME), value, hostName, value));
            return hostName;
        }
        return text.orElseThrow(() -> new ConfigurationException(policy.path(HELLO_NAME)
            + " is empty while autodetect is false: write the name to greet with, or autodetect=\"true\" for the host name"));
    }

    /** What James uses with autodetect: the local host name, "localhost" when it cannot be found. */
    static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * Keys of the policy element that James's own code reads later: {@code AbstractConfigurableAsyncServer.configure}
     * (the listener) and {@code SslConfig} (the Proxy Server certificate, in ServerTlsContext). Declared here so the
     * strict check of the file knows them.
     */
    private static final String[] READ_BY_JAMES = {"connectionBacklog", "ioWorkerCount", "bossWorkerCount",
        "gracefulShutdown", "tls.keystore", "tls.keystoreType", "tls.secret", "tls.privateKey", "tls.certificates",
        "tls.supportedCipherSuites.cipherSuite", "tls.supportedProtocols.protocol", "tls.clientAuth.truststore",
        "tls.clientAuth.truststoreType", "tls.clientAuth.truststoreSecret", "tls.enableOCSPCRLChecks"};

    private static void validateJamesListenerKeys(ConfigValues policy) throws ConfigurationException {
        policy.integer("connectionLimit", 0, 0, Integer.MAX_VALUE);
        policy.integer("connectionLimitPerIP", 0, 0, Integer.MAX_VALUE);
        ConfigurationReads.declare(policy.raw(), READ_BY_JAMES);
    }

    private final String name;
    private final TlsSupport tlsSupport;
    private final String bind;
    private final String tlsBind;
    private final String jmxName;
    private final String helloName;
    private final HierarchicalConfiguration<ImmutableNode> listenerConfig;
    private final Duration idleTimeout;
    private final boolean allowPlaintextAuth;
    private final TlsProfile clientTlsProfile;
    private final UpstreamConfig upstream;
    private final InspectionSettings inspection;
    private final int maxLineLength;
    private final Optional<ClientActionConfig> clientAction;
    private final Optional<ProxyProtocolIn> proxyProtocolIn;
    /** Set once by {@link #withAccess} on a fresh copy; {@link AccessPolicy#OPEN} otherwise. */
    private AccessPolicy access = AccessPolicy.OPEN;
    /** Set once by {@link #withUpstreamPool} on a fresh copy. */
    private Optional<UpstreamPool> upstreamPool = Optional.empty();
    private final ClientDeadlines deadlines;

    public ProxyPolicy(String name, TlsSupport tlsSupport, String bind, String tlsBind, String jmxName,
                       HierarchicalConfiguration<ImmutableNode> listenerConfig, Duration idleTimeout,
                       boolean allowPlaintextAuth, TlsProfile clientTlsProfile, UpstreamConfig upstream,
                       InspectionSettings inspection, int maxLineLength) {
        this(name, tlsSupport, bind, tlsBind, jmxName, listenerConfig, idleTimeout, allowPlaintextAuth, clientTlsProfile,
            upstream, inspection, maxLineLength, Optional.empty());
    }

    /** helloName autodetected (the local host name), as James does when a policy has no {@code <helloName>}. */
    public ProxyPolicy(String name, TlsSupport tlsSupport, String bind, String tlsBind, String jmxName,
                       HierarchicalConfiguration<ImmutableNode> listenerConfig, Duration idleTimeout,
                       boolean allowPlaintextAuth, TlsProfile clientTlsProfile, UpstreamConfig upstream,
                       InspectionSettings inspection, int maxLineLength, Optional<ClientActionConfig> clientAction) {
        this(name, tlsSupport, bind, tlsBind, jmxName, localHostName(), listenerConfig, idleTimeout, allowPlaintextAuth,
            clientTlsProfile, upstream, inspection, maxLineLength, clientAction, Optional.empty());
    }

    public ProxyPolicy(String name, TlsSupport tlsSupport, String bind, String tlsBind, String jmxName, String helloName,
                       HierarchicalConfiguration<ImmutableNode> listenerConfig, Duration idleTimeout,
                       boolean allowPlaintextAuth, TlsProfile clientTlsProfile, UpstreamConfig upstream,
                       InspectionSettings inspection, int maxLineLength, Optional<ClientActionConfig> clientAction,
                       Optional<ProxyProtocolIn> proxyProtocolIn) {
        this(name, tlsSupport, bind, tlsBind, jmxName, helloName, listenerConfig, idleTimeout, allowPlaintextAuth,
            clientTlsProfile, upstream, inspection, maxLineLength, clientAction, proxyProtocolIn, ClientDeadlines.DEFAULT);
    }

    public ProxyPolicy(String name, TlsSupport tlsSupport, String bind, String tlsBind, String jmxName, String helloName,
                       HierarchicalConfiguration<ImmutableNode> listenerConfig, Duration idleTimeout,
                       boolean allowPlaintextAuth, TlsProfile clientTlsProfile, UpstreamConfig upstream,
                       InspectionSettings inspection, int maxLineLength, Optional<ClientActionConfig> clientAction,
                       Optional<ProxyProtocolIn> proxyProtocolIn, ClientDeadlines deadlines) {
        this.proxyProtocolIn = proxyProtocolIn;
        this.deadlines = deadlines;
        this.name = name;
        this.tlsSupport = tlsSupport;
        this.bind = bind;
        this.tlsBind = tlsBind;
        this.jmxName = jmxName;
        this.helloName = Objects.requireNonNull(helloName, "helloName");
        // A private copy: the listeners derive their James configuration from it, nobody mutates it.
        this.listenerConfig = new BaseHierarchicalConfiguration(listenerConfig);
        this.idleTimeout = idleTimeout;
        this.allowPlaintextAuth = allowPlaintextAuth;
        this.clientTlsProfile = clientTlsProfile;
        this.upstream = upstream;
        this.inspection = inspection;
        this.maxLineLength = maxLineLength;
        this.clientAction = clientAction;
    }

    /** A copy with these connection rules (access list, auto-block, rates, schedule). */
    public ProxyPolicy withAccess(AccessPolicy rules) {
        ProxyPolicy copy = new ProxyPolicy(name, tlsSupport, bind, tlsBind, jmxName, helloName, listenerConfig, idleTimeout,
            allowPlaintextAuth, clientTlsProfile, upstream, inspection, maxLineLength, clientAction, proxyProtocolIn, deadlines);
        copy.access = rules;
        copy.upstreamPool = upstreamPool;
        return copy;
    }

    /** A copy whose upstream is this pool of servers (load balancing). */
    public ProxyPolicy withUpstreamPool(Optional<UpstreamPool> pool) {
        ProxyPolicy copy = withAccess(access);
        copy.upstreamPool = pool;
        return copy;
    }

    /** Present when the upstream is a pool of servers: the route balances connections over its members. */
    public Optional<UpstreamPool> getUpstreamPool() {
        return upstreamPool;
    }

    public String getName() {
        return name;
    }

    /** Who may connect and when; {@link AccessPolicy#OPEN} when the policy says nothing. */
    public AccessPolicy getAccess() {
        return access;
    }

    public TlsSupport getTlsSupport() {
        return tlsSupport;
    }

    public String getBind() {
        return bind;
    }

    public String getTlsBind() {
        return tlsBind;
    }

    public String getJmxName() {
        return jmxName;
    }

    /**
     * The name the proxy greets with and (SMTP) EHLOs the upstream with: {@code <helloName>} resolved as James does
     * (autodetect, the default, is the local host name), once, at boot.
     */
    public String getHelloName() {
        return helloName;
    }

    /**
     * The policy element as James's listener base class reads it (connectionLimit, connectionLimitPerIP,
     * helloName, ioWorkerCount, the tls block...). Returns a fresh copy on each call.
     */
    public HierarchicalConfiguration<ImmutableNode> listenerConfig() {
        return new BaseHierarchicalConfiguration(listenerConfig);
    }

    public Duration getIdleTimeout() {
        return idleTimeout;
    }

    /** {@code <timeouts>}: the deadlines that, unlike the idle timeout, a trickle of bytes does not restart. */
    public ClientDeadlines getDeadlines() {
        return deadlines;
    }

    public boolean isAllowPlaintextAuth() {
        return allowPlaintextAuth;
    }

    public TlsProfile getClientTlsProfile() {
        return clientTlsProfile;
    }

    public UpstreamConfig getUpstream() {
        return upstream;
    }

    public InspectionSettings getInspection() {
        return inspection;
    }

    /** Present for a "Client" (outbound) policy: routing, allow-list, TLS action, Proxy Authority. */
    public Optional<ClientActionConfig> getClientAction() {
        return clientAction;
    }

    /** A "Server" policy with a TLS listener or STARTTLS presents the Proxy Server certificate from {@code <tls>}. */
    public boolean needsProxyServerCertificate() {
        return clientAction.isEmpty() && (tlsSupport.bindsTlsPort() || tlsSupport.offersStartTls());
    }

    public int getMaxLineLength() {
        return maxLineLength;
    }

    /** Present when the policy sits behind trusted proxies that must open each connection with a PROXY header. */
    public Optional<ProxyProtocolIn> getProxyProtocolIn() {
        return proxyProtocolIn;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof ProxyPolicy) {
            ProxyPolicy that = (ProxyPolicy) o;
            return allowPlaintextAuth == that.allowPlaintextAuth
                && maxLineLength == that.maxLineLength
                && Objects.equals(clientAction, that.clientAction)
                && Objects.equals(proxyProtocolIn, that.proxyProtocolIn)
                && Objects.equals(name, that.name)
                && tlsSupport == that.tlsSupport
                && Objects.equals(bind, that.bind)
                && Objects.equals(tlsBind, that.tlsBind)
                && Objects.equals(jmxName, that.jmxName)
                && Objects.equals(helloName, that.helloName)
                && Objects.equals(idleTimeout, that.idleTimeout)
                && Objects.equals(deadlines, that.deadlines)
                && Objects.equals(clientTlsProfile, that.clientTlsProfile)
                && Objects.equals(upstream, that.upstream)
                && Objects.equals(inspection, that.inspection)
                && Objects.equals(access, that.access)
                && Objects.equals(upstreamPool, that.upstreamPool);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(name, tlsSupport, bind, tlsBind, jmxName, helloName, idleTimeout, allowPlaintextAuth, clientTlsProfile,
            upstream, inspection, maxLineLength, clientAction, proxyProtocolIn, deadlines);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("name", name)
            .add("tlsSupport", tlsSupport)
            .add("bind", bind)
            .add("tlsBind", tlsBind)
            .add("helloName", helloName)
            .add("timeouts", deadlines)
            .add("upstream", upstream)
            .add("inspection", inspection)
            .add("clientAction", clientAction)
            .add("acceptProxyProtocol", proxyProtocolIn)
            .toString();
    }
}
