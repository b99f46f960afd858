package org.jamesproxy.testing;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import javax.net.ssl.SSLContext;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamesproxy.balance.HealthChecker;
import org.jamesproxy.balance.PoolRoute;
import org.jamesproxy.client.ClientAction;
import org.jamesproxy.client.ClientActionRoute;
import org.jamesproxy.client.DestinationResolver;
import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.listener.ListenerKind;
import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.listener.ProxyListenerPair;
import org.jamesproxy.policy.InMemoryPolicyStateStore;
import org.jamesproxy.policy.LoggingClientBlocker;
import org.jamesproxy.policy.PolicyStateStore;
import org.jamesproxy.relay.PolicyResources;
import org.jamesproxy.relay.ProxyProtocol;
import org.jamesproxy.relay.FixedRoute;
import org.jamesproxy.relay.UpstreamRoute;
import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.tls.UpstreamTlsContext;
import org.jamesproxy.tls.authority.HostCertificates;
import org.jamesproxy.upstream.UpstreamConnector;

/**
 * A relay without James: a policy written as XML (as in conf/mailproxy.xml), parsed by
 * {@link MailProxyConfiguration}, bound on 127.0.0.1:0, with the shared test PKI, a recording metric factory,
 * the inspector of the test's choice and a fixed inspection pool. Also owns the fake upstreams and clients a test
 * opens, and closes everything in {@link #close()}.
 * <p>
 * Placeholders in the XML: {@code ${keystore}} (the Proxy Server PKCS12), {@code ${truststore}} (the CA as PEM),
 * {@code ${upstreamPort}}.
 * <p>
 * Each protocol's fixture names its policy element, how its policy is found in the parsed configuration and
 * turned into listeners ({@link Protocol}), and how its fake upstreams and test clients are opened ({@link Fakes}).
 *
 * @param <F> the protocol's fixture itself, returned by {@code start}
 * @param <U> the fake upstream
 * @param <C> the test client
 */
public abstract class ProxyFixture<F extends ProxyFixture<F, U, C>, U extends FakeUpstream, C extends AutoCloseable>
    implements AutoCloseable {
    private static final AtomicInteger JMX_NAMES = new AtomicInteger();
    private java.time.Clock clock = java.time.Clock.systemUTC();
    private PolicyStateStore stateStore = new InMemoryPolicyStateStore(clock);
    private final HealthChecker healthChecker = new HealthChecker();
    private PoolRoute poolRoute;

    /**
     * A policy element on 127.0.0.1:0 with both listeners and the Proxy Server keystore.
     *
     * @param element e.g. {@code imapproxy}; also the prefix of the JMX name
     * @param tlsSupport disabled | enabled | required
     * @param upstreamTls the inside of {@code <upstream>} besides host and port, e.g. {@code <tls>none</tls>}
     * @param extra goes inside the element
     */
    protected static String policy(String element, String name, String tlsSupport, String upstreamTls, String extra) {
        return policy(element, name, tlsSupport, upstreamTls, FIXED_HELLO_NAME, extra);
    }

    /** The name the policies greet with, unless a test gives its own {@code <helloName>} element (or none). */
    public static final String FIXED_HELLO_NAME = "<helloName autodetect=\"false\">proxy.test</helloName>";

    /**
     * As {@link #policy(String, String, String, String, String)}, with the {@code <helloName>} element of the test's
     * choice, e.g. {@code <helloName autodetect="true"/>}, or {@code ""} for none.
     */
    protected static String policy(String element, String name, String tlsSupport, String upstreamTls, String helloName,
                                   String extra) {
        return "<" + element + "><name>" + name + "</name>"
            + "<tlsSupport>" + tlsSupport + "</tlsSupport>"
            + "<bind>127.0.0.1:0</bind><tlsBind>127.0.0.1:0</tlsBind>"
            + "<jmxName>" + element + "-relaytest-" + JMX_NAMES.incrementAndGet() + "</jmxName>"
            + helloName + "<gracefulShutdown>false</gracefulShutdown>"
            + "<tls><keystore>${keystore}</keystore><keystoreType>PKCS12</keystoreType><secret>" + TestPki.SECRET
            + "</secret></tls>"
            + "<upstream><host>127.0.0.1</host><port>${upstreamPort}</port>" + upstreamTls
            + "<connectTimeout>2s</connectTimeout></upstream>"
            + extra
            + "</" + element + ">";
    }

    /**
     * The name a policy without a fixed {@code <helloName>} greets with, as James 3.8.1 computes it: the local host
     * name, "localhost" when the lookup fails.
     */
    public static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    /** The upstream part of a policy for STARTTLS toward the upstream, trusting the test CA. */
    public static String starttlsUpstreamXml() {
        return "<tls>starttls</tls><trustStore>${truststore}</trustStore>";
    }

    public static String implicitTlsUpstreamXml() {
        return "<tls>implicit</tls><trustStore>${truststore}</trustStore>";
    }

    /** The use of the action every fixture defines, so that message bodies go through the inspector. */
    public static String withInspection() {
        return "<proxyAction>test-action</proxyAction>";
    }

    /** The use of the action plus an inspection element. */
    public static String withInspection(String inspectionElement) {
        return withInspection() + inspectionElement;
    }

    /** Opens a client on a port. */
    @FunctionalInterface
    public interface Connector<C> {
        C connect(int port) throws Exception;
    }

    /** Opens a client on a port and does the TLS handshake with the context. */
    @FunctionalInterface
    public interface TlsConnector<C> {
        C connect(int port, SSLContext context) throws Exception;
    }

    /** Starts a fake upstream that does TLS from the first byte with the context. */
    @FunctionalInterface
    public interface ImplicitTlsStarter<U> {
        U start(SSLContext context) throws Exception;
    }

    /**
     * How a protocol's fakes are opened, e.g. {@code FakeImapUpstream::start, FakeImapUpstream::startImplicitTls,
     * FakeImapUpstream::startTlsContext, ImapTestClient::connect, ImapTestClient::connectTls}.
     *
     * @param startTls makes an upstream's STARTTLS (or STLS) present the context
     */
    public record Fakes<U, C>(Callable<U> upstream, ImplicitTlsStarter<U> implicitTlsUpstream,
                              BiFunction<U, SSLContext, U> startTls, Connector<C> client, TlsConnector<C> tlsClient) {
    }

    private final ProxyProtocol<?> protocol;
    private final Fakes<U, C> fakes;
    private final TestPki pki = TestPki.shared();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final ExecutorService inspectionExecutor = Executors.newFixedThreadPool(2);
    private final List<AutoCloseable> resources = new ArrayList<>();
    private ProxyListenerPair listeners;
    private Optional<HostCertificates> hostCertificates = Optional.empty();
    private DestinationResolver resolver = DestinationResolver.SYSTEM;

    protected ProxyFixture(ProxyProtocol<?> protocol, Fakes<U, C> fakes) {
        this.protocol = protocol;
        this.fakes = fakes;
    }

    @SuppressWarnings("unchecked")
    private F self() {
        return (F) this;
    }

    public TestPki pki() {
        return pki;
    }

    public RecordingMetricFactory metrics() {
        return metrics;
    }

    /** Starts a fake upstream that the fixture will close. */
    public U upstream() throws Exception {
        return register(fakes.upstream().call());
    }

    /** A fake upstream whose STARTTLS presents a certificate of the test CA for localhost/127.0.0.1. */
    public U starttlsUpstream() throws Exception {
        return fakes.startTls().apply(upstream(), TestPki.serverContext(pki.upstreamCertificate()));
    }

    /** A fake upstream whose STARTTLS (or STLS) presents the context, e.g. a certificate the proxy must refuse. */
    public U starttlsUpstream(SSLContext context) throws Exception {
        return fakes.startTls().apply(upstream(), context);
    }

    public U implicitTlsUpstream(SSLContext context) throws Exception {
        return register(fakes.implicitTlsUpstream().start(context));
    }

    public F start(String policyXml, int upstreamPort, MessageInspector inspector) throws Exception {
        String xml = "<mailproxy><proxyActions><action name=\"test-action\"/></proxyActions>"
            + policyXml
                .replace("${keystore}", FileUrlFileSystem.url(pki.proxyKeyStore()))
                .replace("${truststore}", FileUrlFileSystem.url(pki.caPem()))
                .replace("${upstreamPort}", Integer.toString(upstreamPort))
            + "</mailproxy>";
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader(xml));
        listeners = bind(protocol, MailProxyConfiguration.parse(configuration), inspector);
        listeners.start();
        return self();
    }

    public F start(String policyXml, U upstream) throws Exception {
        return start(policyXml, upstream.port(), MessageInspector.PASS_THROUGH);
    }

    public F start(String policyXml, U upstream, MessageInspector inspector) throws Exception {
        return start(policyXml, upstream.port(), inspector);
    }

    private <P> ProxyListenerPair bind(ProxyProtocol<P> protocol, MailProxyConfiguration configuration,
                                       MessageInspector inspector) throws Exception {
        P selected = configuration.policies(protocol.kind()).get(0);
        ProxyPolicy policy = protocol.kind().common().apply(selected);
        FileUrlFileSystem fileSystem = new FileUrlFileSystem(pki.proxyKeyStore().getParent());
        Optional<ServerTlsContext> serverTls = policy.needsProxyServerCertificate()
            ? Optional.of(ServerTlsContext.load(fileSystem, policy.listenerConfig(), "test", policy.getClientTlsProfile()))
            : Optional.empty();
        Optional<UpstreamTlsContext> upstreamTls = policy.getUpstream().getTls() == UpstreamTls.NONE
            ? Optional.empty()
            : Optional.of(UpstreamTlsContext.load(fileSystem, policy.getUpstream(), "test.upstream"));
        UpstreamConnector connector = new UpstreamConnector(policy.getUpstream(), upstreamTls);
        UpstreamRoute route;
        if (policy.getClientAction().isPresent()) {
            route = new ClientActionRoute(connector, ClientAction.create(policy, fileSystem, hostCertificates, resolver, "test"));
        } else if (policy.getUpstreamPool().isPresent()) {
            PoolRoute pool = PoolRoute.create(policy, policy.getUpstreamPool().get(), (leg, path) -> leg.getTls() == UpstreamTls.NONE
                ? Optional.empty() : Optional.of(UpstreamTlsContext.load(fileSystem, leg, path)), "test", stateStore, clock);
            healthChecker.watch(pool, protocol.greetingPrefix());
            poolRoute = pool;
            route = pool;
        } else {
            route = new FixedRoute(connector);
        }
        return protocol.listeners(selected, new PolicyResources(route, serverTls, inspector, "", inspectionExecutor, metrics,
            fileSystem, new LoggingClientBlocker(metrics), stateStore, clock));
    }

    /** The connection rules' shared state and clock, for tests of access rules, auto-block and schedules. */
    public F withPolicyState(PolicyStateStore store, java.time.Clock clock) {
        this.stateStore = store;
        this.clock = clock;
        return self();
    }

    public PolicyStateStore policyState() {
        return stateStore;
    }

    /** The pool of a policy whose upstream is one (after {@code start}). */
    public PoolRoute pool() {
        return poolRoute;
    }

    /**
     * For a client-action policy: the Proxy Authority (else the policy's {@code <proxyAuthority>}) and how
     * destination names resolve (e.g. {@code *.upstream.test} to loopback).
     */
    public F withClientAction(HostCertificates certificates, DestinationResolver destinations) {
        this.hostCertificates = Optional.of(certificates);
        this.resolver = destinations;
        return self();
    }

    public int plainPort() {
        return port(ListenerKind.PLAIN);
    }

    public int tlsPort() {
        return port(ListenerKind.IMPLICIT_TLS);
    }

    private int port(ListenerKind kind) {
        return listeners.getListeners().stream()
            .filter(listener -> listener.getKind() == kind)
            .map(ProxyListener::getPort)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no " + kind + " listener in this policy"));
    }

    /** A client on the plain port, greeting not read yet. */
    public C plainClient() throws Exception {
        return register(fakes.client().connect(plainPort()));
    }

    /** A client on the implicit TLS port, handshake done, greeting not read yet. */
    public C tlsClient() throws Exception {
        return register(fakes.tlsClient().connect(tlsPort(), pki.clientContext()));
    }

    /** A client the test closes itself (e.g. hundreds of dropped connections): plain port, or implicit TLS with the handshake done. */
    public C unregisteredClient(boolean tls) throws Exception {
        return tls ? fakes.tlsClient().connect(tlsPort(), pki.clientContext()) : fakes.client().connect(plainPort());
    }

    public SSLContext clientTlsContext() {
        return pki.clientContext();
    }

    public Path keyStore() {
        return pki.proxyKeyStore();
    }

    public <T extends AutoCloseable> T register(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                // best effort
            }
        }
        if (listeners != null) {
            listeners.stop();
        }
        healthChecker.close();
        inspectionExecutor.shutdownNow();
    }
}
