package org.jamesproxy.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.builder.FileBasedConfigurationBuilder;
import org.apache.commons.configuration2.builder.fluent.Parameters;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JamesHomeTest {
    private static CertificateAuthority ca;
    private static IssuedCertificate serverCertificate;

    @TempDir
    Path root;

    @BeforeAll
    static void pki() {
        ca = CertificateAuthority.create("CN=JamesHome Test CA");
        serverCertificate = ca.issue(ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1").build());
    }

    private JamesHome.Builder minimal() {
        return JamesHome.builder(root)
            .ports(JamesPorts.builder().imap(11143).imaps(11993).smtp(10025).pop3(11110).pop3s(11995).build())
            .serverCertificate(serverCertificate);
    }

    private ProxySettings.Builder proxy() {
        return ProxySettings.imap("demo")
            .bind("127.0.0.1:10143").tlsBind("127.0.0.1:10993")
            .proxyCertificate(serverCertificate)
            .upstream("127.0.0.1", 11993, "implicit")
            .upstreamTrust(ca.certificate())
            .expectedHostName("localhost");
    }

    @Test
    void shouldWriteEveryFileTheMemoryServerReads() {
        JamesHome home = minimal().write();

        assertThat(home.confDirectory()).isDirectoryContaining(path -> true);
        assertThat(fileNames(home.confDirectory())).contains("imapserver.xml", "smtpserver.xml", "pop3server.xml",
            "lmtpserver.xml", "managesieveserver.xml", "mailetcontainer.xml", "mailrepositorystore.xml", "domainlist.xml",
            "usersrepository.xml", "dnsservice.xml", "listeners.xml", "jvm.properties", "jmx.properties", "logback.xml",
            "keystore");
        assertThat(home.extensionsJarsDirectory()).isDirectory();
    }

    @Test
    void noPlaceholderShouldSurvive() throws IOException {
        JamesHome home = minimal().proxy(proxy().build()).write();

        try (Stream<Path> files = Files.list(home.confDirectory())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".xml") || f.toString().endsWith(".properties"))
                .collect(Collectors.toList())) {
                assertThat(Files.readString(file)).as(file.toString()).doesNotContain("${").doesNotContain("@{");
            }
        }
    }

    @Test
    void xmlFilesShouldBeWellFormed() throws Exception {
        JamesHome home = minimal().domain("demo.local").proxy(proxy()
            .proxyAction(ProxyAction.removeHeader("IMAP-Demo", "X-Internal-Secret")).build()).write();

        try (Stream<Path> files = Files.list(home.confDirectory())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".xml")).collect(Collectors.toList())) {
                load(file);
            }
        }
    }

    @Test
    void mailetContainerShouldNotReferenceTestOnlyMailets() throws IOException {
        JamesHome home = minimal().write();

        assertThat(Files.readString(home.confDirectory().resolve("mailetcontainer.xml")))
            .doesNotContain("org.apache.james.ErrorMailet")
            .contains("LocalDelivery");
    }

    @Test
    void listenersShouldUseTheGivenPortsAndTheKeystore() throws Exception {
        JamesHome home = minimal().write();

        XMLConfiguration imap = load(home.confDirectory().resolve("imapserver.xml"));
        assertThat(imap.getString("imapserver(0).bind")).isEqualTo("127.0.0.1:11143");
        assertThat(imap.getBoolean("imapserver(0).tls[@startTLS]")).isTrue();
        assertThat(imap.getString("imapserver(1).bind")).isEqualTo("127.0.0.1:11993");
        assertThat(imap.getBoolean("imapserver(1).tls[@socketTLS]")).isTrue();
        assertThat(imap.getString("imapserver(1).tls.keystore")).isEqualTo("file://conf/keystore");
        assertThat(imap.getString("imapserver(1).tls.keystoreType")).isEqualTo("PKCS12");
        assertThat(imap.getString("imapserver(1).tls.secret")).isEqualTo(JamesHome.DEFAULT_KEYSTORE_SECRET);

        XMLConfiguration smtp = load(home.confDirectory().resolve("smtpserver.xml"));
        assertThat(smtp.getString("smtpserver.bind")).isEqualTo("127.0.0.1:10025");
        XMLConfiguration lmtp = load(home.confDirectory().resolve("lmtpserver.xml"));
        assertThat(lmtp.getBoolean("lmtpserver[@enabled]")).isFalse();
    }

    @Test
    void keystoreShouldHoldTheServerCertificateChain() throws Exception {
        JamesHome home = minimal().keystoreSecret("s3cret").write();

        KeyStore keyStore = KeyStore.getInstance(home.keystore().toFile(), "s3cret".toCharArray());
        assertThat(keyStore.getCertificateChain(JamesHome.KEYSTORE_ALIAS)).containsExactly(serverCertificate.chainArray());
    }

    @Test
    void mailProxyXmlShouldFollowTheSampleFormat() throws Exception {
        JamesHome home = minimal().proxy(proxy()
            .proxyAction(ProxyAction.removeHeader("IMAP-Demo", "X-Internal-Secret")).build()).write();

        XMLConfiguration xml = load(home.mailProxyXml());
        assertThat(xml.getString("imapproxy.name")).isEqualTo("demo");
        assertThat(xml.getString("imapproxy.tlsSupport")).isEqualTo("enabled");
        assertThat(xml.getString("imapproxy.bind")).isEqualTo("127.0.0.1:10143");
        assertThat(xml.getString("imapproxy.tlsBind")).isEqualTo("127.0.0.1:10993");
        assertThat(xml.getString("imapproxy.tls.keystore")).isEqualTo("file://conf/imapproxy-demo.p12");
        assertThat(xml.getString("imapproxy.tls.keystoreType")).isEqualTo("PKCS12");
        assertThat(xml.getString("imapproxy.upstream.host")).isEqualTo("127.0.0.1");
        assertThat(xml.getInt("imapproxy.upstream.port")).isEqualTo(11993);
        assertThat(xml.getString("imapproxy.upstream.tls")).isEqualTo("implicit");
        assertThat(xml.getString("imapproxy.upstream.trustStore")).isEqualTo("file://conf/imapproxy-demo-upstream-ca.pem");
        assertThat(xml.getString("imapproxy.upstream.expectedHostName")).isEqualTo("localhost");
        assertThat(xml.getString("imapproxy.proxyAction")).isEqualTo("IMAP-Demo");
        assertThat(xml.getString("proxyActions.action[@name]")).isEqualTo("IMAP-Demo");
        assertThat(xml.getString("proxyActions.action.mailet[@class]")).isEqualTo("RemoveMimeHeader");
        assertThat(xml.getString("proxyActions.action.mailet.name")).isEqualTo("X-Internal-Secret");
        assertThat(home.confDirectory().resolve("imapproxy-demo.p12")).isRegularFile();
        assertThat(home.confDirectory().resolve("imapproxy-demo-upstream-ca.pem")).isRegularFile();
    }

    @Test
    void theProxyAuthorityShouldBeATopLevelElementThePluginParsesAndLoads() throws Exception {
        Path store = root.resolve("pa.p12");
        org.jamesproxy.tls.pki.Pkcs12KeyStores.write(CertificateAuthority.create("CN=PA").asIssuedCertificate(), store, "pa", "demo".toCharArray());
        JamesHome home = minimal().proxy(proxy().build()).proxyAuthority(store, "pa", "demo").write();

        org.jamesproxy.config.MailProxyConfiguration configuration = org.jamesproxy.config.MailProxyConfiguration.parse(load(home.mailProxyXml()));
        org.jamesproxy.config.ProxyAuthorityConfig authority = configuration.getProxyAuthority().orElseThrow();

        assertThat(authority.getKeystore()).contains("file://" + store.toAbsolutePath());
        assertThat(authority.getAlias()).contains("pa");
        assertThat(org.jamesproxy.tls.authority.ProxyAuthorityFiles.read(new org.apache.james.filesystem.api.FileSystem() {
            @Override
            public java.io.InputStream getResource(String url) throws IOException {
                return Files.newInputStream(getFile(url).toPath());
            }

            @Override
            public java.io.File getFile(String url) {
                return Path.of(url.substring("file://".length())).toFile();
            }

            @Override
            public java.io.File getBasedir() {
                return root.toFile();
            }
        }, authority).certificate().getSubjectX500Principal().getName()).isEqualTo("CN=PA");
    }

    @Test
    void demoProxyAuthorityShouldBeCreatedOnceAndReused() throws Exception {
        CertificateAuthority first = DemoLauncher.demoProxyAuthority(root);
        CertificateAuthority again = DemoLauncher.demoProxyAuthority(root);

        assertThat(again.certificate()).isEqualTo(first.certificate());
        assertThat(root.resolve(DemoLauncher.PROXY_AUTHORITY_PEM)).isRegularFile();
        assertThat(first.certificate().getSubjectX500Principal().getName()).contains("Proxy Authority");
    }

    @Test
    void invalidValuesShouldBeWrittenAsGiven() throws Exception {
        JamesHome home = minimal().proxy(proxy().tlsSupport("sometimes").build()).write();

        assertThat(load(home.mailProxyXml()).getString("imapproxy.tlsSupport")).isEqualTo("sometimes");
    }

    @Test
    void valuesShouldBeXmlEscaped() throws Exception {
        JamesHome home = minimal().keystoreSecret("a<b&c").proxy(proxy().build()).write();

        assertThat(load(home.confDirectory().resolve("imapserver.xml")).getString("imapserver(0).tls.secret"))
            .isEqualTo("a<b&c");
        assertThat(load(home.mailProxyXml()).getString("imapproxy.tls.secret")).isEqualTo("a<b&c");
    }

    @Test
    void extensionsPropertiesShouldEnableThePluginWhenAProxyIsConfigured() throws IOException {
        JamesHome home = minimal().proxy(proxy().build()).write();

        assertThat(Files.readAllLines(home.confDirectory().resolve("extensions.properties")))
            .contains("guice.extension.module=org.jamesproxy.modules.MailProxyModule",
                "guice.extension.startable=org.jamesproxy.modules.MailProxyStartable");
    }

    @Test
    void optionalFilesShouldBeAbsentOrRemovedWhenNotConfigured() {
        minimal().proxy(proxy().build()).ports(JamesPorts.builder().imaps(11993).webAdmin(18000).build()).write();

        JamesHome home = minimal().write();

        assertThat(home.confDirectory().resolve("extensions.properties")).doesNotExist();
        assertThat(home.confDirectory().resolve("mailproxy.xml")).doesNotExist();
        assertThat(home.confDirectory().resolve("webadmin.properties")).doesNotExist();
    }

    @Test
    void webAdminShouldBeLoopbackWithoutAuthWhenAPortIsGiven() throws IOException {
        JamesHome home = minimal().ports(JamesPorts.builder().imaps(11993).webAdmin(18000).build()).write();

        assertThat(Files.readAllLines(home.confDirectory().resolve("webadmin.properties")))
            .contains("enabled=true", "host=127.0.0.1", "port=18000", "jwt.enabled=false");
    }

    @Test
    void jmxShouldBeOffByDefault() throws IOException {
        JamesHome home = minimal().write();

        assertThat(Files.readAllLines(home.confDirectory().resolve("jmx.properties"))).contains("jmx.enabled=false");
    }

    @Test
    void domainsShouldBeListed() throws Exception {
        JamesHome home = minimal().defaultDomain("demo.local").domain("demo.local").domain("other.local").write();

        XMLConfiguration domains = load(home.confDirectory().resolve("domainlist.xml"));
        assertThat(domains.getString("defaultDomain")).isEqualTo("demo.local");
        assertThat(domains.getList(String.class, "domainnames.domainname")).containsExactly("demo.local", "other.local");
    }

    @Test
    void extensionJarsShouldBeCopied(@TempDir Path elsewhere) throws IOException {
        Path jar = Files.write(elsewhere.resolve("plugin.jar"), new byte[] {'P', 'K'});

        JamesHome home = minimal().extensionJar(jar).write();

        assertThat(home.extensionsJarsDirectory().resolve("plugin.jar")).hasBinaryContent(new byte[] {'P', 'K'});
    }

    @Test
    void tlsListenersShouldRequireACertificate() {
        assertThatThrownBy(() -> JamesHome.builder(root).ports(JamesPorts.builder().imaps(11993).build()).write())
            .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void memoryConfigurationShouldPointAtTheHome() {
        JamesHome home = minimal().write();

        assertThat(home.memoryConfiguration().directories().getRootDirectory()).isEqualTo(root.toAbsolutePath().toString());
        assertThat(home.memoryConfiguration().configurationPath().asString()).isEqualTo("file://conf/");
    }

    private static List<String> fileNames(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static XMLConfiguration load(Path file) throws Exception {
        return new FileBasedConfigurationBuilder<>(XMLConfiguration.class)
            .configure(new Parameters().xml().setFile(file.toFile()))
            .getConfiguration();
    }
}
