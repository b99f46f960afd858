package org.jamesproxy.testing;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamesproxy.config.Pop3Policy;
import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.pop3.Pop3Proxy;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.listener.ListenerKind;
import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.listener.ProxyListenerPair;
import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.tls.UpstreamTlsContext;
import org.jamesproxy.upstream.UpstreamConnector;

/**
 * The POP3 relay without James: a policy written as XML (as in conf/mailproxy.xml), parsed by
 * {@link MailProxyConfiguration}, bound on 127.0.0.1:0, with the shared test PKI, a recording metric factory,
 * the inspector of the test's choice and a fixed inspection pool. Also owns the fake upstreams and clients a test
 * opens, and closes everything in {@link #close()}.
 * <p>
 * Placeholders in the XML: {@code ${keystore}} (the Proxy Server PKCS12), {@code ${truststore}} (the CA as PEM),
 * {@code ${upstreamPort}}.
 */
public final class Pop3ProxyFixture implements AutoCloseable {
    private static final AtomicInteger JMX_NAMES = new AtomicInteger();

    /** A policy on 127.0.0.1:0 with both listeners, toward a plain loopback upstream; {@code extra} goes inside. */
    public static String policy(String extra) {
        return policy("enabled", "<tls>none</tls>", extra);
    }

    /**
     * @param tlsSupport disabled | enabled | required
     * @param upstreamTls the inside of {@code <upstream>} besides host and port, e.g. {@code <tls>none</tls>}
     */
    public static String policy(String tlsSupport, String upstreamTls, String extra) {
        return "<pop3proxy><name>relay-test</name>"
            + "<tlsSupport>" + tlsSupport + "</tlsSupport>"
            + "<bind>127.0.0.1:0</bind><tlsBind>127.0.0.1:0</tlsBind>"
            + "<jmxName>pop3proxy-relaytest-" + JMX_NAMES.incrementAndGet() + "</jmxName>"
            + "<helloName>proxy.test</helloName><gracefulShutdown>false</gracefulShutdown>"
            + "<tls><keystore>${keystore}</keystore><keystoreType>PKCS12</keystoreType><secret>" + TestPki.SECRET
            + "</secret></tls>"
            + "<upstream><host>127.0.0.1</host><port>${upstreamPort}</port>" + upstreamTls
            + "<connectTimeout>2s</connectTimeout></upstream>"
            + extra
            + "</pop3proxy>";
    }

    /** The upstream part of a policy for STARTTLS toward the upstream, trusting the test CA. */
    public static String starttlsUpstreamXml() {
        return "<tls>starttls</tls><trustStore>${truststore}</trustStore>";
    }

    public static String implicitTlsUpstreamXml() {
        return "<tls>implicit</tls><trustStore>${truststore}</trustStore>";
    }

    /** An action definition plus its use, so that RETR/TOP answers go through the inspector. */
    public static String withInspection(String inspectionElement) {
        return "<proxyAction>test-action</proxyAction>" + inspectionElement;
    }

    private final TestPki pki = TestPki.shared();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final ExecutorService inspectionExecutor = Executors.newFixedThreadPool(2);
    private final List<AutoCloseable> resources = new ArrayList<>();
    private ProxyListenerPair listeners;

    public TestPki pki() {
        return pki;
    }

    public RecordingMetricFactory metrics() {
        return metrics;
    }

    /** Starts a fake upstream that the fixture will close. */
    public FakePop3Upstream upstream() throws Exception {
        return register(FakePop3Upstream.start());
    }

    /** A fake upstream whose STARTTLS presents the good certificate. */
    public FakePop3Upstream starttlsUpstream() throws Exception {
        return upstream().stlsContext(TestPki.serverContext(pki.upstreamCertificate()));
    }

    public FakePop3Upstream implicitTlsUpstream(SSLContext context) throws Exception {
        return register(FakePop3Upstream.startImplicitTls(context));
    }

    public Pop3ProxyFixture start(String policyXml, int upstreamPort, MessageInspector inspector) throws Exception {
        String xml = "<mailproxy><proxyActions><action name=\"test-action\"/></proxyActions>"
            + policyXml
                .replace("${keystore}", FileUrlFileSystem.url(pki.proxyKeyStore()))
                .replace("${truststore}", FileUrlFileSystem.url(pki.caPem()))
                .replace("${upstreamPort}", Integer.toString(upstreamPort))
            + "</mailproxy>";
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader(xml));
        Pop3Policy pop3 = MailProxyConfiguration.parse(configuration).getPop3Policies().get(0);
        ProxyPolicy policy = pop3.getPolicy();
        FileUrlFileSystem fileSystem = new FileUrlFileSystem(pki.proxyKeyStore().getParent());
        Optional<ServerTlsContext> serverTls = policy.getTlsSupport().bindsTlsPort() || policy.getTlsSupport().offersStartTls()
            ? Optional.of(ServerTlsContext.load(fileSystem, policy.listenerConfig(), "test", policy.getClientTlsProfile()))
            : Optional.empty();
        Optional<UpstreamTlsContext> upstreamTls = policy.getUpstream().getTls() == UpstreamTls.NONE
            ? Optional.empty()
            : Optional.of(UpstreamTlsContext.load(fileSystem, policy.getUpstream(), "test.upstream"));
        listeners = Pop3Proxy.listeners(pop3, new UpstreamConnector(policy.getUpstream(), upstreamTls), serverTls, inspector,
            inspectionExecutor, metrics, fileSystem);
        listeners.start();
        return this;
    }

    public Pop3ProxyFixture start(String policyXml, FakePop3Upstream upstream) throws Exception {
        return start(policyXml, upstream.port(), MessageInspector.PASS_THROUGH);
    }

    public Pop3ProxyFixture start(String policyXml, FakePop3Upstream upstream, MessageInspector inspector) throws Exception {
        return start(policyXml, upstream.port(), inspector);
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

    /** A raw line client on the plain port, greeting not read yet (the IMAP test client is protocol-neutral at this level). */
    public ImapTestClient plainClient() throws Exception {
        return register(ImapTestClient.connect(plainPort()));
    }

    /** A client on the implicit TLS port, handshake done, greeting not read yet. */
    public ImapTestClient tlsClient() throws Exception {
        return register(ImapTestClient.connectTls(tlsPort(), pki.clientContext()));
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
        inspectionExecutor.shutdownNow();
    }
}
