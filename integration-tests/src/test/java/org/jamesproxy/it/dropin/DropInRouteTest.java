package org.jamesproxy.it.dropin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.demo.JamesPorts;
import org.jamesproxy.demo.ProxyAction;
import org.jamesproxy.demo.ProxySettings;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.jamesproxy.tls.pki.TrustStores;
import org.jamesproxy.tls.pki.VerifyingSocketFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production route, end to end: a stock James 3.8.1 memory server in a <b>separate JVM</b> whose class path holds
 * no org.jamesproxy class at all, a James home written by {@link JamesHome} with {@code conf/extensions.properties} and
 * {@code conf/mailproxy.xml}, and the shaded drop-in jar copied into {@code extensions-jars/}. James must load the plugin
 * from there, start the IMAP proxy, serve mail through it, and stop it on SIGTERM.
 *
 * <p>Inputs, set by integration-tests/pom.xml (surefire system properties):</p>
 * <ul>
 *     <li>{@code dropin.jar}: {@code guice-modules/target/guice-modules-<version>-dropin.jar}, built before this
 *     module by the reactor;</li>
 *     <li>{@code james.runtime.classpath.file}: the runtime class path of james-server-memory-app, without org.jamesproxy
 *     artifacts, written by maven-dependency-plugin:build-classpath.</li>
 * </ul>
 * A missing input <b>fails</b> the tests (it never skips them). Each boot takes ~10-20 s; the whole class ~1 minute.
 */
@EndToEndTest
class DropInRouteTest {
    private static final String DOMAIN = "demo.local";
    private static final String ALICE = "alice@" + DOMAIN;
    private static final String PASSWORD = "secret";
    private static final String SECRET_HEADER = "X-Internal-Secret";

    private static CertificateAuthority ca;

    @BeforeAll
    static void pki() {
        ca = CertificateAuthority.create("CN=DropInRouteTest CA");
    }

    @Test
    void dropInJarShouldContainOnlyPluginClasses() throws IOException {
        try (ZipFile jar = new ZipFile(dropInJar().toFile())) {
            List<String> files = Collections.list(jar.entries()).stream()
                .filter(entry -> !entry.isDirectory())
                .map(ZipEntry::getName)
                .collect(Collectors.toList());

            assertThat(files).as("entries of " + dropInJar())
                .isNotEmpty()
                .allSatisfy(name -> assertThat(name).matches("(org/jamesproxy/|META-INF/).*"))
                .noneMatch(name -> name.startsWith("io/netty") || name.startsWith("com/google")
                    || name.startsWith("org/apache") || name.startsWith("org/bouncycastle"));
            assertThat(files).contains("org/jamesproxy/modules/MailProxyModule.class",
                "org/jamesproxy/modules/MailProxyStartable.class");
        }
    }

    @Test
    void childClasspathShouldBeStockJamesWithoutThePlugin() {
        List<String> entries = Arrays.asList(jamesClasspath().split(File.pathSeparator));

        assertThat(entries).noneMatch(entry -> entry.contains("jamesproxy") || entry.contains("/target/classes"));
        assertThat(entries).anyMatch(entry -> entry.endsWith("james-server-memory-app-3.8.1.jar"));
        // Direct test-scoped declarations could silently remove these (see integration-tests/pom.xml).
        assertThat(entries).anyMatch(entry -> entry.endsWith("apache-mailet-standard-3.8.1.jar"));
        assertThat(entries).anyMatch(entry -> entry.endsWith("bcprov-jdk15on-1.70.jar"));
        assertThat(entries).anyMatch(entry -> entry.contains("logback-classic"));
        // mailet-plugin's provided dependencies, as James ships them (never bundled in the drop-in jar); compiled
        // against commons-compress 1.22 (James 3.8.1's distribution), the runtime here resolves a later 1.x.
        assertThat(entries).anyMatch(entry -> entry.matches(".*/commons-compress-1\\.[0-9.]+\\.jar"));
        assertThat(entries).anyMatch(entry -> entry.endsWith("jackson-databind-2.14.1.jar"));
    }

    @Test
    void proxyShouldServeJamesMailFromTheDropInJarAndStopOnSigterm(@TempDir Path root) throws Exception {
        int jamesImaps = freePort();
        int jamesSmtp = freePort();
        int webAdmin = freePort();
        int proxyPlain = freePort();
        int proxyTls = freePort();
        JamesHome home = home(root, JamesPorts.builder().imaps(jamesImaps).smtp(jamesSmtp).webAdmin(webAdmin).build(),
            proxy(proxyPlain, proxyTls, jamesImaps).proxyAction(ProxyAction.removeHeader("IMAP-Strip", SECRET_HEADER)));

        try (JamesProcess james = JamesProcess.start(home, jamesClasspath())) {
            james.awaitListening(jamesImaps, jamesSmtp, webAdmin, proxyPlain, proxyTls);
            createUser(webAdmin, ALICE, PASSWORD, james);
            send(jamesSmtp, "Through the drop-in jar");

            awaitMessageThroughProxy(proxyTls, james);

            List<String> viaImaps = readInbox(imapsProperties(proxyTls), "imaps", "127.0.0.1");
            List<String> viaStartTls = readInbox(startTlsProperties(proxyPlain), "imap", "localhost");
            List<String> direct = readInbox(imapsProperties(jamesImaps), "imaps", "127.0.0.1");
            assertThat(viaStartTls).hasSize(1).first().asString().contains("Subject: Through the drop-in jar");
            // The proxy action (a James mailet, loaded through James's loaders from the drop-in jar's configuration)
            // ran: the header is in James's copy, not in what the proxy served.
            assertThat(direct).first().asString().contains(SECRET_HEADER + ": do-not-leak");
            assertThat(viaImaps).first().asString().doesNotContain(SECRET_HEADER);
            assertThat(viaStartTls).first().asString().doesNotContain(SECRET_HEADER);

            james.terminate();

            assertThat(JamesProcess.accepts(proxyTls)).as("proxy TLS port after SIGTERM").isFalse();
            assertThat(JamesProcess.accepts(proxyPlain)).as("proxy plain port after SIGTERM").isFalse();
            assertThat(james.jamesLog()).as("James's shutdown hook ran\n" + james.diagnostics())
                .contains("JAMES server stopped");
        }
    }

    @Test
    void invalidMailProxyXmlShouldStopJamesBootWithAMessageNamingTheElementAndValue(@TempDir Path root) throws Exception {
        int jamesImaps = freePort();
        JamesHome home = home(root, JamesPorts.builder().imaps(jamesImaps).build(),
            proxy(freePort(), freePort(), jamesImaps).tlsSupport("sometimes"));

        try (JamesProcess james = JamesProcess.start(home, jamesClasspath())) {
            int exitCode = james.awaitExit();

            assertThat(exitCode).as("exit code\n" + james.diagnostics()).isNotZero();
            // One line (the error message) names both the element and the value.
            assertThat(james.output().lines()).as("child output\n" + james.diagnostics())
                .anyMatch(line -> line.contains("tlsSupport") && line.contains("sometimes"));
            assertThat(JamesProcess.accepts(jamesImaps)).as("James's own IMAPS after the failed boot").isFalse();
        }
    }

    /** Polls IMAPS through the proxy until the delivered message shows; on timeout, fails with the last error and logs. */
    private static void awaitMessageThroughProxy(int proxyTlsPort, JamesProcess james) {
        AtomicReference<Throwable> lastError = new AtomicReference<>();
        try {
            Awaitility.await("the message through the proxy's implicit TLS listener")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    try {
                        return readInbox(imapsProperties(proxyTlsPort), "imaps", "127.0.0.1").stream()
                            .anyMatch(message -> message.contains("Subject: Through the drop-in jar"));
                    } catch (Exception e) {
                        lastError.set(e);
                        return false;
                    }
                });
        } catch (ConditionTimeoutException e) {
            AssertionError error = new AssertionError("No message through the proxy within 1 minute; last error: "
                + lastError.get() + "\n" + james.diagnostics(), e);
            if (lastError.get() != null) {
                error.addSuppressed(lastError.get());
            }
            throw error;
        }
    }

    private static JamesHome home(Path root, JamesPorts ports, ProxySettings.Builder proxy) {
        JamesHome home = JamesHome.builder(root)
            .ports(ports)
            .serverCertificate(ca.issue(localhost()))
            .defaultDomain(DOMAIN)
            .domain(DOMAIN)
            .proxy(proxy.build())
            .consoleLogLevel("WARN")
            .write();
        home.copyExtensionJar(dropInJar());
        return home;
    }

    private static ProxySettings.Builder proxy(int plainPort, int tlsPort, int upstreamImapsPort) {
        return ProxySettings.imap("it")
            .tlsSupport("enabled")
            .bind("127.0.0.1:" + plainPort)
            .tlsBind("127.0.0.1:" + tlsPort)
            .proxyCertificate(ca.issue(localhost()))
            .upstream("127.0.0.1", upstreamImapsPort, "implicit")
            .upstreamTrust(ca.certificate())
            .expectedHostName("localhost");
    }

    private static ServerCertificateRequest localhost() {
        return ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1").build();
    }

    private static Path dropInJar() {
        String location = System.getProperty("dropin.jar");
        assertThat(location).as("system property dropin.jar (set by integration-tests/pom.xml)").isNotBlank();
        Path jar = Path.of(location);
        assertThat(jar).as("the drop-in jar; build it first: mvn -q install -DskipTests").isRegularFile();
        return jar;
    }

    private static String jamesClasspath() {
        String location = System.getProperty("james.runtime.classpath.file");
        assertThat(location).as("system property james.runtime.classpath.file (set by integration-tests/pom.xml)")
            .isNotBlank();
        Path file = Path.of(location);
        assertThat(file).as("James runtime class path, written by maven-dependency-plugin:build-classpath").isRegularFile();
        try {
            String classpath = Files.readString(file, StandardCharsets.UTF_8).trim();
            assertThat(classpath).as(file.toString()).isNotEmpty();
            return classpath;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** WebAdmin (loopback, no auth, as JamesHome writes it): PUT /users/{user}. The domain comes from domainlist.xml. */
    private static void createUser(int webAdminPort, String user, String password, JamesProcess james) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webAdminPort + "/users/" + user))
                .timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + password + "\"}"))
                .header("Content-Type", "application/json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("PUT /users/" + user + ": " + response.body() + "\n" + james.diagnostics())
            .isEqualTo(204);
    }

    private static void send(int smtpPort, String subject) throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", Integer.toString(smtpPort));
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "10000");
        MimeMessage message = new MimeMessage(Session.getInstance(properties));
        message.setFrom(new InternetAddress("bob@" + DOMAIN));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(ALICE));
        message.setSubject(subject);
        message.setHeader(SECRET_HEADER, "do-not-leak");
        message.setText("Delivered by James, read through the proxy.\n");
        Transport.send(message);
    }

    /** Implicit TLS; the client trusts only the test CA and verifies the host name (IP or DNS) the JDK way. */
    private static Properties imapsProperties(int port) {
        Properties properties = timeouts("imaps", port);
        properties.put("mail.imaps.ssl.socketFactory", VerifyingSocketFactory.trusting(TrustStores.of(ca)));
        // javax.mail would otherwise retry with the JDK's default factory after a failure, hiding the real error.
        properties.put("mail.imaps.socketFactory.fallback", "false");
        return properties;
    }

    /** Plain connection, STARTTLS required before LOGIN, same trust and host name verification. */
    private static Properties startTlsProperties(int port) {
        Properties properties = timeouts("imap", port);
        properties.put("mail.imap.starttls.enable", "true");
        properties.put("mail.imap.starttls.required", "true");
        properties.put("mail.imap.ssl.socketFactory", VerifyingSocketFactory.trusting(TrustStores.of(ca)));
        properties.put("mail.imap.socketFactory.fallback", "false");
        return properties;
    }

    private static Properties timeouts(String protocol, int port) {
        Properties properties = new Properties();
        properties.put("mail." + protocol + ".port", Integer.toString(port));
        properties.put("mail." + protocol + ".connectiontimeout", "10000");
        properties.put("mail." + protocol + ".timeout", "20000");
        // javax.mail's default ranged fetches (BODY.PEEK[]<0.16384>) are answered from the inspected message.
        return properties;
    }

    /** Every INBOX message, raw (headers + body). */
    private static List<String> readInbox(Properties properties, String protocol, String host) throws Exception {
        Store store = Session.getInstance(properties).getStore(protocol);
        store.connect(host, ALICE, PASSWORD);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                List<String> messages = new ArrayList<>();
                for (Message message : inbox.getMessages()) {
                    ByteArrayOutputStream raw = new ByteArrayOutputStream();
                    message.writeTo(raw);
                    messages.add(raw.toString(StandardCharsets.UTF_8));
                }
                return messages;
            } finally {
                inbox.close(false);
            }
        } finally {
            store.close();
        }
    }
}
