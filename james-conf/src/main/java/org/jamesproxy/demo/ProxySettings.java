package org.jamesproxy.demo;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;

import org.jamesproxy.tls.pki.IssuedCertificate;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * One proxy policy element of {@code conf/mailproxy.xml} ({@code <imapproxy>}, {@code <pop3proxy>} or
 * {@code <smtpproxy>}), as {@link JamesHome} renders it.
 *
 * <p>Values are written as given, <b>not validated</b>: validation is the plugin's job at James's boot, and tests need to
 * write invalid values (e.g. {@code tlsSupport("sometimes")}) on purpose. Defaults follow the sample file: tlsSupport
 * {@code enabled}, upstream tls {@code implicit}, no plaintext LOGIN before STARTTLS.</p>
 *
 * <p>The Proxy Server certificate is either an {@link IssuedCertificate} (JamesHome writes it to
 * {@code conf/<element>-<name>.p12}) or an existing key store URL. The upstream trust is either a CA certificate
 * (written to {@code conf/<element>-<name>-upstream-ca.pem}) or an existing URL; with neither, the element is omitted
 * and the plugin uses the JDK's default CAs.</p>
 *
 * <pre>{@code
 * ProxySettings.imap("demo")
 *     .bind("127.0.0.1:10143").tlsBind("127.0.0.1:10993")
 *     .proxyCertificate(ca.issue(ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1").build()))
 *     .upstream("127.0.0.1", 11993, "implicit").upstreamTrust(ca.certificate()).expectedHostName("localhost")
 *     .build();
 * }</pre>
 */
public final class ProxySettings {
    /** The protocols a policy can proxy, with the element that configures each and its default ports. */
    public enum Protocol {
        IMAP("imapproxy", 143, 993, "implicit", 993),
        POP3("pop3proxy", 110, 995, "implicit", 995),
        SMTP("smtpproxy", 25, 465, "starttls", 25);

        private final String element;
        private final int plainPort;
        private final int tlsPort;
        private final String upstreamTls;
        private final int upstreamPort;

        Protocol(String element, int plainPort, int tlsPort, String upstreamTls, int upstreamPort) {
            this.element = element;
            this.plainPort = plainPort;
            this.tlsPort = tlsPort;
            this.upstreamTls = upstreamTls;
            this.upstreamPort = upstreamPort;
        }

        public String element() {
            return element;
        }
    }

    public static Builder imap(String name) {
        return new Builder(Protocol.IMAP, name);
    }

    public static Builder pop3(String name) {
        return new Builder(Protocol.POP3, name);
    }

    public static Builder smtp(String name) {
        return new Builder(Protocol.SMTP, name);
    }

    public static final class Builder {
        private final Protocol protocol;
        private final String name;
        private String tlsSupport = "enabled";
        private String bind;
        private String tlsBind;
        private boolean allowPlaintextAuth = false;
        private Optional<IssuedCertificate> proxyCertificate = Optional.empty();
        private Optional<String> keystoreUrl = Optional.empty();
        private String keystoreType = "PKCS12";
        private Optional<String> keystoreSecret = Optional.empty();
        private String upstreamHost;
        private int upstreamPort;
        private String upstreamTls;
        private Optional<X509Certificate> upstreamTrust = Optional.empty();
        private Optional<String> upstreamTrustStoreUrl = Optional.empty();
        private Optional<String> expectedHostName = Optional.empty();
        private Optional<ProxyAction> proxyAction = Optional.empty();
        private String extraXml = "";
        private String upstreamProxyProtocol = "none";

        private Builder(Protocol protocol, String name) {
            Preconditions.checkArgument(name != null && name.matches("[A-Za-z0-9_.-]+"),
                "proxy name must be [A-Za-z0-9_.-]+ (it names files and a JMX bean): %s", name);
            this.protocol = protocol;
            this.name = name;
            this.bind = "0.0.0.0:" + protocol.plainPort;
            this.tlsBind = "0.0.0.0:" + protocol.tlsPort;
            this.upstreamTls = protocol.upstreamTls;
            this.upstreamPort = protocol.upstreamPort;
        }

        /** Protocol-specific elements written as they are inside the policy element, e.g. {@code <offerApop>false</offerApop>}. */
        public Builder extraXml(String xml) {
            this.extraXml = xml;
            return this;
        }

        /** {@code disabled | enabled | required}; written as is. */
        public Builder tlsSupport(String tlsSupport) {
            this.tlsSupport = tlsSupport;
            return this;
        }

        /** Plain + STARTTLS listener, {@code ip:port}. */
        public Builder bind(String bind) {
            this.bind = bind;
            return this;
        }

        /** Implicit TLS listener, {@code ip:port}. */
        public Builder tlsBind(String tlsBind) {
            this.tlsBind = tlsBind;
            return this;
        }

        public Builder allowPlaintextAuth(boolean allow) {
            this.allowPlaintextAuth = allow;
            return this;
        }

        /** The certificate the proxy presents to clients; written as a PKCS#12 key store. */
        public Builder proxyCertificate(IssuedCertificate certificate) {
            this.proxyCertificate = Optional.of(certificate);
            this.keystoreUrl = Optional.empty();
            return this;
        }

        /** An existing key store, as a James FileSystem URL (e.g. {@code file://conf/proxy.p12}). */
        public Builder proxyKeystore(String url, String type, String secret) {
            this.keystoreUrl = Optional.of(url);
            this.keystoreType = type;
            this.keystoreSecret = Optional.of(secret);
            this.proxyCertificate = Optional.empty();
            return this;
        }

        /** @param tls {@code implicit | starttls | none}; written as is */
        public Builder upstream(String host, int port, String tls) {
            this.upstreamHost = host;
            this.upstreamPort = port;
            this.upstreamTls = tls;
            return this;
        }

        /** {@code <upstream><proxyProtocol>}: none (default), v1 or v2. */
        public Builder upstreamProxyProtocol(String version) {
            this.upstreamProxyProtocol = version;
            return this;
        }

        /** Trust exactly this CA for the upstream leg (written as a PEM file). */
        public Builder upstreamTrust(X509Certificate caCertificate) {
            this.upstreamTrust = Optional.of(caCertificate);
            this.upstreamTrustStoreUrl = Optional.empty();
            return this;
        }

        /** An existing trust store URL (PEM, or PKCS12/JKS by file extension, as the plugin decides). */
        public Builder upstreamTrustStore(String url) {
            this.upstreamTrustStoreUrl = Optional.of(url);
            this.upstreamTrust = Optional.empty();
            return this;
        }

        /** Name checked against the upstream certificate; default: the upstream host. */
        public Builder expectedHostName(String expectedHostName) {
            this.expectedHostName = Optional.of(expectedHostName);
            return this;
        }

        /** Declares a {@code <proxyActions><action>} and references it from this proxy. */
        public Builder proxyAction(ProxyAction action) {
            this.proxyAction = Optional.of(action);
            return this;
        }

        public ProxySettings build() {
            Preconditions.checkState(upstreamHost != null, "upstream(host, port, tls) is required");
            Preconditions.checkState(proxyCertificate.isPresent() || keystoreUrl.isPresent(),
                "proxyCertificate(...) or proxyKeystore(...) is required");
            return new ProxySettings(this);
        }
    }

    private final Protocol protocol;
    private final String name;
    private final String tlsSupport;
    private final String bind;
    private final String tlsBind;
    private final boolean allowPlaintextAuth;
    private final Optional<IssuedCertificate> proxyCertificate;
    private final Optional<String> keystoreUrl;
    private final String keystoreType;
    private final Optional<String> keystoreSecret;
    private final String upstreamHost;
    private final int upstreamPort;
    private final String upstreamTls;
    private final Optional<X509Certificate> upstreamTrust;
    private final Optional<String> upstreamTrustStoreUrl;
    private final String expectedHostName;
    private final Optional<ProxyAction> proxyAction;
    private final String extraXml;
    private final String upstreamProxyProtocol;

    private ProxySettings(Builder builder) {
        this.protocol = builder.protocol;
        this.extraXml = builder.extraXml;
        this.upstreamProxyProtocol = builder.upstreamProxyProtocol;
        this.name = builder.name;
        this.tlsSupport = builder.tlsSupport;
        this.bind = builder.bind;
        this.tlsBind = builder.tlsBind;
        this.allowPlaintextAuth = builder.allowPlaintextAuth;
        this.proxyCertificate = builder.proxyCertificate;
        this.keystoreUrl = builder.keystoreUrl;
        this.keystoreType = builder.keystoreType;
        this.keystoreSecret = builder.keystoreSecret;
        this.upstreamHost = builder.upstreamHost;
        this.upstreamPort = builder.upstreamPort;
        this.upstreamTls = builder.upstreamTls;
        this.upstreamTrust = builder.upstreamTrust;
        this.upstreamTrustStoreUrl = builder.upstreamTrustStoreUrl;
        this.expectedHostName = builder.expectedHostName.orElse(builder.upstreamHost);
        this.proxyAction = builder.proxyAction;
    }

    public Protocol protocol() {
        return protocol;
    }

    public String upstreamProxyProtocol() {
        return upstreamProxyProtocol;
    }

    public String extraXml() {
        return extraXml;
    }

    public String name() {
        return name;
    }

    public String tlsSupport() {
        return tlsSupport;
    }

    public String bind() {
        return bind;
    }

    public String tlsBind() {
        return tlsBind;
    }

    public boolean allowPlaintextAuth() {
        return allowPlaintextAuth;
    }

    public Optional<IssuedCertificate> proxyCertificate() {
        return proxyCertificate;
    }

    public Optional<String> keystoreUrl() {
        return keystoreUrl;
    }

    public String keystoreType() {
        return keystoreType;
    }

    public Optional<String> keystoreSecret() {
        return keystoreSecret;
    }

    public String upstreamHost() {
        return upstreamHost;
    }

    public int upstreamPort() {
        return upstreamPort;
    }

    public String upstreamTls() {
        return upstreamTls;
    }

    public Optional<X509Certificate> upstreamTrust() {
        return upstreamTrust;
    }

    public Optional<String> upstreamTrustStoreUrl() {
        return upstreamTrustStoreUrl;
    }

    public String expectedHostName() {
        return expectedHostName;
    }

    public Optional<ProxyAction> proxyAction() {
        return proxyAction;
    }

    /** The port part of {@link #bind()}. */
    public int plainPort() {
        return portOf(bind);
    }

    /** The port part of {@link #tlsBind()}. */
    public int tlsPort() {
        return portOf(tlsBind);
    }

    private static int portOf(String bind) {
        return Integer.parseInt(bind.substring(bind.lastIndexOf(':') + 1).trim());
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("protocol", protocol)
            .add("name", name)
            .add("tlsSupport", tlsSupport)
            .add("bind", bind)
            .add("tlsBind", tlsBind)
            .add("upstream", upstreamHost + ":" + upstreamPort + " (" + upstreamTls + ")")
            .add("proxyAction", proxyAction.map(ProxyAction::name))
            .toString();
    }
}
