package org.jamesproxy.testing;

import java.io.StringReader;
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
import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.config.SmtpPolicy;
import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.listener.ListenerKind;
import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.listener.ProxyListenerPair;
import org.jamesproxy.smtp.SmtpProxy;
import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.tls.UpstreamTlsContext;
import org.jamesproxy.upstream.UpstreamConnector;

/**
 * The SMTP relay without James: an {@code <smtpproxy>} policy written as XML, parsed by
 * {@link MailProxyConfiguration}, bound on 127.0.0.1:0 with the shared test PKI, a recording metric factory and
 * the inspector of the test's choice. Placeholders as in {@link ImapProxyFixture}.
 */
public final class SmtpProxyFixture implements AutoCloseable {
    private static final AtomicInteger JMX_NAMES = new AtomicInteger();

    /** Both listeners, toward a plain loopback upstream; {@code extra} goes inside the element. */
    public static String policy(String extra) {
        return policy("enabled", "<tls>none</tls>", extra);
    }

    public static String policy(String tlsSupport, String upstreamTls, String extra) {
        return "<smtpproxy><name>smtp-test</name>"
            + "<tlsSupport>" + tlsSupport + "</tlsSupport>"
            + "<bind>127.0.0.1:0</bind><tlsBind>127.0.0.1:0</tlsBind>"
            + "<jmxName>smtpproxy-relaytest-" + JMX_NAMES.incrementAndGet() + "</jmxName>"
            + "<helloName>proxy.test</helloName><gracefulShutdown>false</gracefulShutdown>"
            + "<tls><keystore>${keystore}</keystore><keystoreType>PKCS12</keystoreType><secret>" + TestPki.SECRET
            + "</secret></tls>"
            + "<upstream><host>127.0.0.1</host><port>${upstreamPort}</port>" + upstreamTls
            + "<connectTimeout>2s</connectTimeout></upstream>"
            + extra
            + "</smtpproxy>";
    }

    public static String starttlsUpstreamXml() {
        return "<tls>starttls</tls><trustStore>${truststore}</trustStore>";
    }

    public static String opportunisticUpstreamXml() {
        return "<tls>starttls</tls><opportunisticStartTls>true</opportunisticStartTls><trustStore>${truststore}</trustStore>";
    }

    public static String implicitTlsUpstreamXml() {
        return "<tls>implicit</tls><trustStore>${truststore}</trustStore>";
    }

    public static String withInspection() {
        return "<proxyAction>test-action</proxyAction>";
    }

    private final TestPki pki = TestPki.shared();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final ExecutorService inspectionExecutor = Executors.newFixedThreadPool(2);
    private final List<AutoCloseable> resources = new ArrayList<>();
    private ProxyListenerPair listeners;

    public RecordingMetricFactory metrics() {
        return metrics;
    }

    public FakeSmtpUpstream upstream() throws Exception {
        return register(FakeSmtpUpstream.start());
    }

    /** A fake upstream whose STARTTLS presents a certificate of the test CA for localhost/127.0.0.1. */
    public FakeSmtpUpstream starttlsUpstream() throws Exception {
        return upstream().startTlsContext(TestPki.serverContext(pki.upstreamCertificate()));
    }

    public FakeSmtpUpstream implicitTlsUpstream(SSLContext context) throws Exception {
        return register(FakeSmtpUpstream.startImplicitTls(context));
    }

    public SmtpProxyFixture start(String policyXml, FakeSmtpUpstream upstream) throws Exception {
        return start(policyXml, upstream, MessageInspector.PASS_THROUGH);
    }

    public SmtpProxyFixture start(String policyXml, FakeSmtpUpstream upstream, MessageInspector inspector) throws Exception {
        String xml = "<mailproxy><proxyActions><action name=\"test-action\"/></proxyActions>"
            + policyXml
                .replace("${keystore}", FileUrlFileSystem.url(pki.proxyKeyStore()))
                .replace("${truststore}", FileUrlFileSystem.url(pki.caPem()))
                .replace("${upstreamPort}", Integer.toString(upstream.port()))
            + "</mailproxy>";
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader(xml));
        SmtpPolicy smtp = MailProxyConfiguration.parse(configuration).getSmtpPolicies().get(0);
        ProxyPolicy policy = smtp.getPolicy();
        FileUrlFileSystem fileSystem = new FileUrlFileSystem(pki.proxyKeyStore().getParent());
        Optional<ServerTlsContext> serverTls = policy.getTlsSupport().bindsTlsPort() || policy.getTlsSupport().offersStartTls()
            ? Optional.of(ServerTlsContext.load(fileSystem, policy.listenerConfig(), "test", policy.getClientTlsProfile()))
            : Optional.empty();
        Optional<UpstreamTlsContext> upstreamTls = policy.getUpstream().getTls() == UpstreamTls.NONE
            ? Optional.empty()
            : Optional.of(UpstreamTlsContext.load(fileSystem, policy.getUpstream(), "test.upstream"));
        listeners = SmtpProxy.listeners(smtp, new UpstreamConnector(policy.getUpstream(), upstreamTls), serverTls, inspector,
            inspectionExecutor, metrics, fileSystem);
        listeners.start();
        return this;
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

    /** A raw client on the plain port, greeting not read yet. */
    public SmtpTestClient plainClient() throws Exception {
        return register(SmtpTestClient.connect(plainPort()));
    }

    public SmtpTestClient tlsClient() throws Exception {
        return register(SmtpTestClient.connectTls(tlsPort(), pki.clientContext()));
    }

    public SSLContext clientTlsContext() {
        return pki.clientContext();
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
