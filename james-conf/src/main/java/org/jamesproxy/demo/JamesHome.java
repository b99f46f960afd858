package org.jamesproxy.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.server.core.configuration.Configuration.ConfigurationPath;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.PemFiles;
import org.jamesproxy.tls.pki.Pkcs12KeyStores;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;

/**
 * A complete, runnable Apache James 3.8.1 <b>memory</b> working directory ("James home"), optionally with the
 * james-mail-proxy plugin enabled. Used by the demo launcher, by tests (in-process and separate-JVM) and by image builders.
 *
 * <h2>Layout written by {@link Builder#write()}</h2>
 * <pre>
 * &lt;root&gt;/
 *   conf/                      file-based configuration, ConfigurationPath "file://conf/"
 *     imapserver.xml           IMAP plain+STARTTLS and IMAPS (implicit TLS) on bindAddress
 *     smtpserver.xml           SMTP plain+STARTTLS; local delivery without AUTH, 127.0.0.0/8 may relay; and (off
 *                              unless a port is given) the listener behind the mail proxy: proxyRequired, relaying
 *                              only after AUTH (IMAPS and POP3S have such a listener too)
 *     pop3server.xml           POP3 plain+STLS and POP3S
 *     lmtpserver.xml           LMTP (off unless a port is given)
 *     managesieveserver.xml    off
 *     mailetcontainer.xml      James's memory-app mailet container minus the test-only ErrorMailet
 *     mailrepositorystore.xml, usersrepository.xml, dnsservice.xml, listeners.xml, recipientrewritetable.xml
 *     jmap.properties (off), deletedMessageVault.properties (off), healthcheck.properties, blob.properties
 *     domainlist.xml           default domain + the domains to create at boot
 *     jmx.properties           JMX off unless a port is given (James's default, 9999, clashes between homes)
 *     webadmin.properties      only when a WebAdmin port is given: loopback, NO authentication
 *     jvm.properties           extra system properties read by MemoryJamesServerMain
 *     logback.xml              console at the chosen level, everything at INFO into logs/james.log
 *     keystore                 PKCS#12, alias "james", of the server certificate (all James TLS listeners)
 *     extensions.properties    only when the plugin is enabled: MailProxyModule + MailProxyStartable
 *     mailproxy.xml            only when proxies are given
 *     &lt;element&gt;-&lt;name&gt;.p12     the Proxy Server certificate of each proxy given as an IssuedCertificate
 *     &lt;element&gt;-&lt;name&gt;-upstream-ca.pem   the upstream trust anchor of each proxy given as a certificate
 *   extensions-jars/           jars James loads through ExtendedClassLoader (the drop-in jar goes here)
 *   logs/
 * </pre>
 * Writing over an existing home replaces the files above (and removes the optional ones no longer configured); it leaves
 * everything else alone (other jars, var/, logs).
 *
 * <h2>Running it</h2>
 * In-process: {@code MemoryJamesServerMain.createServer(home.memoryConfiguration())}. Separate JVM: working directory =
 * root, main class {@code org.apache.james.MemoryJamesServerMain}, system properties {@code working.directory=<root>} and
 * {@code logback.configurationFile=<root>/conf/logback.xml} (see {@link #jvmSystemProperties()}).
 *
 * <h2>Example</h2>
 * <pre>{@code
 * CertificateAuthority ca = CertificateAuthority.create("CN=Demo CA");
 * JamesHome home = JamesHome.builder(Path.of("demo-work/james"))
 *     .ports(JamesPorts.builder().imap(11143).imaps(11993).smtp(10025).build())
 *     .serverCertificate(ca.issue(ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1").build()))
 *     .domain("demo.local")
 *     .proxy(ProxySettings.builder("demo")...build())
 *     .write();
 * }</pre>
 *
 * <p>Security defaults: James's listeners bind to 127.0.0.1 ({@link Builder#bindAddress}); LOGIN before STARTTLS is
 * refused ({@link Builder#requireTlsForAuth}); WebAdmin and JMX are off. Values are written without validation (James
 * and the plugin validate at boot).</p>
 */
public final class JamesHome {
    public static final String CONF = "conf";
    public static final String EXTENSIONS_JARS = "extensions-jars";
    public static final String LOGS = "logs";
    /** Alias of the server certificate in {@code conf/keystore}. */
    public static final String KEYSTORE_ALIAS = "james";
    public static final String DEFAULT_KEYSTORE_SECRET = "james-mail-proxy";
    public static final String MAIN_CLASS = "org.apache.james.MemoryJamesServerMain";

    private static final List<String> STATIC_FILES = List.of("dnsservice.xml", "mailrepositorystore.xml",
        "usersrepository.xml", "listeners.xml", "managesieveserver.xml", "mailetcontainer.xml", "recipientrewritetable.xml",
        "jvm.properties", "jmap.properties", "healthcheck.properties", "deletedMessageVault.properties", "blob.properties");

    public static Builder builder(Path root) {
        return new Builder(root);
    }

    public static final class Builder {
        private final Path root;
        private JamesPorts ports = JamesPorts.builder().build();
        private String bindAddress = "127.0.0.1";
        private Optional<IssuedCertificate> serverCertificate = Optional.empty();
        private String keystoreSecret = DEFAULT_KEYSTORE_SECRET;
        private boolean requireTlsForAuth = true;
        private String defaultDomain = "localhost";
        private final List<String> domains = new ArrayList<>();
        private final List<ProxySettings> proxies = new ArrayList<>();
        private Optional<Boolean> pluginEnabled = Optional.empty();
        private final List<Path> extensionJars = new ArrayList<>();
        private String consoleLogLevel = "WARN";
        private Optional<String> proxyAuthorityXml = Optional.empty();

        private Builder(Path root) {
            this.root = root.toAbsolutePath().normalize();
        }

        public Builder ports(JamesPorts ports) {
            this.ports = ports;
            return this;
        }

        /** Address of James's own listeners (not the proxy's). Default {@code 127.0.0.1}. */
        public Builder bindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
            return this;
        }

        /** The certificate of James's own TLS listeners; required when any of IMAP/IMAPS/SMTP/POP3/POP3S is on. */
        public Builder serverCertificate(IssuedCertificate certificate) {
            this.serverCertificate = Optional.of(certificate);
            return this;
        }

        /** Password of {@code conf/keystore} and of the proxies' key stores written from certificates. */
        public Builder keystoreSecret(String secret) {
            this.keystoreSecret = secret;
            return this;
        }

        /** IMAP {@code auth.requireSSL} and SMTP {@code auth.requireSSL}. Default true. */
        public Builder requireTlsForAuth(boolean require) {
            this.requireTlsForAuth = require;
            return this;
        }

        /** James's default domain (default {@code localhost}). */
        public Builder defaultDomain(String domain) {
            this.defaultDomain = domain;
            return this;
        }

        /** A domain James creates at boot (domainlist.xml). Users still have to be added (probe or WebAdmin). */
        public Builder domain(String domain) {
            this.domains.add(domain);
            return this;
        }

        /** Adds an {@code <imapproxy>} to mailproxy.xml; by default this also enables the plugin. */
        public Builder proxy(ProxySettings proxy) {
            Preconditions.checkArgument(proxies.stream().noneMatch(p -> p.name().equals(proxy.name())),
                "duplicate proxy name %s", proxy.name());
            this.proxies.add(proxy);
            return this;
        }

        /**
         * Whether {@code conf/extensions.properties} names the plugin's module and startable. Default: true iff at least
         * one proxy is configured.
         */
        public Builder pluginEnabled(boolean enabled) {
            this.pluginEnabled = Optional.of(enabled);
            return this;
        }

        /** A jar copied into {@code extensions-jars/} (same file name replaced). */
        public Builder extensionJar(Path jar) {
            this.extensionJars.add(jar);
            return this;
        }

        /**
         * A top-level {@code <proxyAuthority>} in conf/mailproxy.xml naming a PKCS#12 key store (absolute path) that holds
         * the Proxy Authority's key and certificate under {@code alias}.
         */
        public Builder proxyAuthority(Path keyStore, String alias, String secret) {
            this.proxyAuthorityXml = Optional.of("    <proxyAuthority>\n"
                + "        <keystore>" + Templates.escapeXml("file://" + keyStore.toAbsolutePath()) + "</keystore>\n"
                + "        <keystoreType>PKCS12</keystoreType>\n"
                + "        <secret>" + Templates.escapeXml(secret) + "</secret>\n"
                + "        <alias>" + Templates.escapeXml(alias) + "</alias>\n"
                + "    </proxyAuthority>");
            return this;
        }

        /** Threshold of the console appender (TRACE..ERROR, OFF). Default WARN; the log file always gets INFO. */
        public Builder consoleLogLevel(String level) {
            this.consoleLogLevel = level;
            return this;
        }

        /** Writes the home and returns its description. */
        public JamesHome write() {
            Preconditions.checkState(serverCertificate.isPresent() || !ports.needsKeystore(),
                "serverCertificate(...) is required when IMAP, IMAPS, SMTP, POP3 or POP3S is enabled");
            JamesHome home = new JamesHome(this);
            try {
                home.writeFiles(this);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write James home " + root, e);
            }
            return home;
        }
    }

    private final Path root;
    private final JamesPorts ports;
    private final String bindAddress;
    private final String keystoreSecret;
    private final ImmutableList<ProxySettings> proxies;
    private final boolean pluginEnabled;

    private JamesHome(Builder builder) {
        this.root = builder.root;
        this.ports = builder.ports;
        this.bindAddress = builder.bindAddress;
        this.keystoreSecret = builder.keystoreSecret;
        this.proxies = ImmutableList.copyOf(builder.proxies);
        this.pluginEnabled = builder.pluginEnabled.orElse(!builder.proxies.isEmpty());
    }

    public Path root() {
        return root;
    }

    public Path confDirectory() {
        return root.resolve(CONF);
    }

    public Path extensionsJarsDirectory() {
        return root.resolve(EXTENSIONS_JARS);
    }

    /** Everything James logs at INFO and above (through {@code conf/logback.xml}). */
    public Path logFile() {
        return root.resolve(LOGS).resolve("james.log");
    }

    public Path logbackConfiguration() {
        return confDirectory().resolve("logback.xml");
    }

    /** {@code conf/keystore}: PKCS#12, alias {@link #KEYSTORE_ALIAS}, password {@link #keystoreSecret()}. */
    public Path keystore() {
        return confDirectory().resolve("keystore");
    }

    public Path mailProxyXml() {
        return confDirectory().resolve("mailproxy.xml");
    }

    public String keystoreSecret() {
        return keystoreSecret;
    }

    public String bindAddress() {
        return bindAddress;
    }

    public JamesPorts ports() {
        return ports;
    }

    public List<ProxySettings> proxies() {
        return proxies;
    }

    public boolean pluginEnabled() {
        return pluginEnabled;
    }

    /**
     * The configuration for {@code MemoryJamesServerMain.createServer(...)}: this root as working directory, file-based
     * configuration from {@code conf/}, the default (memory) users repository.
     */
    public MemoryJamesConfiguration memoryConfiguration() {
        return MemoryJamesConfiguration.builder()
            .workingDirectory(root.toFile())
            .configurationPath(new ConfigurationPath("file://conf/"))
            .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT)
            .build();
    }

    /**
     * System properties for running this home in a separate JVM with {@link #MAIN_CLASS} (as {@code -Dk=v} each).
     * {@code MemoryJamesServerMain} also reads {@code conf/jvm.properties} relative to its current directory, so start it
     * with the root as working directory.
     */
    public Map<String, String> jvmSystemProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("working.directory", root.toString());
        properties.put("logback.configurationFile", logbackConfiguration().toString());
        return properties;
    }

    /** Copies a jar into {@code extensions-jars/}, replacing a file of the same name. Returns the copy. */
    public Path copyExtensionJar(Path jar) {
        Preconditions.checkArgument(Files.isRegularFile(jar), "no such jar: %s", jar);
        try {
            Files.createDirectories(extensionsJarsDirectory());
            return Files.copy(jar, extensionsJarsDirectory().resolve(jar.getFileName().toString()),
                StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy " + jar + " into " + extensionsJarsDirectory(), e);
        }
    }

    private void writeFiles(Builder builder) throws IOException {
        Path conf = Files.createDirectories(confDirectory());
        Files.createDirectories(extensionsJarsDirectory());
        Files.createDirectories(root.resolve(LOGS));

        for (String file : STATIC_FILES) {
            write(conf.resolve(file), Templates.resource(Templates.STATIC_FILES + file));
        }
        Map<String, String> values = listenerValues(builder);
        for (String template : List.of("imapserver.xml", "smtpserver.xml", "pop3server.xml", "lmtpserver.xml",
            "domainlist.xml", "jmx.properties", "logback.xml")) {
            write(conf.resolve(template), Templates.render(template, values));
        }
        writeOptional(conf.resolve("webadmin.properties"), ports.webAdmin().isPresent(), () -> values);
        writeOptional(conf.resolve("extensions.properties"), pluginEnabled, Map::of);

        if (builder.serverCertificate.isPresent()) {
            Pkcs12KeyStores.write(builder.serverCertificate.get(), keystore(), KEYSTORE_ALIAS, keystoreSecret.toCharArray());
        }
        if (proxies.isEmpty()) {
            Files.deleteIfExists(mailProxyXml());
        } else {
            write(mailProxyXml(), MailProxyXml.render(proxies, writeProxyFiles(), builder.proxyAuthorityXml.orElse("")));
        }
        for (Path jar : builder.extensionJars) {
            copyExtensionJar(jar);
        }
    }

    private Map<String, MailProxyXml.Locations> writeProxyFiles() {
        Map<String, MailProxyXml.Locations> locations = new HashMap<>();
        for (ProxySettings proxy : proxies) {
            String keystoreUrl = proxy.keystoreUrl().orElseGet(() -> {
                String file = proxy.protocol().element() + "-" + proxy.name() + ".p12";
                Pkcs12KeyStores.write(proxy.proxyCertificate().orElseThrow(), confDirectory().resolve(file), "proxy",
                    keystoreSecret.toCharArray());
                return "file://conf/" + file;
            });
            Optional<String> trustStoreUrl = proxy.upstreamTrustStoreUrl().or(() -> proxy.upstreamTrust().map(ca -> {
                String file = proxy.protocol().element() + "-" + proxy.name() + "-upstream-ca.pem";
                PemFiles.writeCertificate(ca, confDirectory().resolve(file));
                return "file://conf/" + file;
            }));
            locations.put(proxy.name(), new MailProxyXml.Locations(keystoreUrl,
                proxy.keystoreSecret().orElse(keystoreSecret), trustStoreUrl));
        }
        return locations;
    }

    private Map<String, String> listenerValues(Builder builder) {
        Map<String, String> values = new HashMap<>();
        values.put("bindAddress", bindAddress);
        values.put("keystoreSecret", keystoreSecret);
        values.put("requireTlsForAuth", Boolean.toString(builder.requireTlsForAuth));
        putPort(values, "imap", ports.imap());
        putPort(values, "imaps", ports.imaps());
        putPort(values, "smtp", ports.smtp());
        putPort(values, "pop3", ports.pop3());
        putPort(values, "pop3s", ports.pop3s());
        putPort(values, "lmtp", ports.lmtp());
        putPort(values, "smtpBehindProxy", ports.smtpBehindProxy());
        putPort(values, "imapsBehindProxy", ports.imapsBehindProxy());
        putPort(values, "pop3sBehindProxy", ports.pop3sBehindProxy());
        putPort(values, "jmx", ports.jmx());
        values.put("webadmin.port", Integer.toString(ports.webAdmin().orElse(0)));
        // The plugin's operator routes (GET /mailproxy/policies, ...) come with the plugin.
        values.put("webadmin.extensions", pluginEnabled
            ? "extensions.routes=org.jamesproxy.modules.webadmin.MailProxyRoutes" : "");
        values.put("defaultDomain", builder.defaultDomain);
        values.put("domainNames", builder.domains.stream()
            .map(domain -> "        <domainname>" + Templates.escapeXml(domain) + "</domainname>")
            .collect(Collectors.joining("\n")));
        values.put("consoleLevel", builder.consoleLogLevel);
        values.put("logFile", logFile().toString());
        return values;
    }

    private static void putPort(Map<String, String> values, String name, OptionalInt port) {
        values.put(name + ".enabled", Boolean.toString(port.isPresent()));
        values.put(name + ".port", Integer.toString(port.orElse(0)));
    }

    private static void writeOptional(Path file, boolean wanted, Supplier<Map<String, String>> values)
        throws IOException {
        if (wanted) {
            write(file, Templates.render(file.getFileName().toString(), values.get()));
        } else {
            Files.deleteIfExists(file);
        }
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("root", root)
            .add("ports", ports)
            .add("proxies", proxies)
            .add("pluginEnabled", pluginEnabled)
            .toString();
    }
}
